// --tls-probe for one endpoint: its extra connections, one at a time in a connection slot,
// once the plan is done; they fill TlsProbeResults and never touch a verdict.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <uv.h>

#include "results/audit_result.hpp"
#include "scheduler/audit_options.hpp"
#include "scheduler/connection_slots.hpp"
#include "smtp/tls_probe_session.hpp"
#include "tls/tls_context.hpp"

namespace relayaudit {

class TlsProbeRun {
 public:
  using Done = std::function<void()>;

  // `implicit`: the endpoint speaks TLS from the first byte (no STARTTLS, so no injection).
  TlsProbeRun(uv_loop_t* loop, const sockaddr_storage& address, const AuditOptions& options,
              bool implicit, std::string server_name, ConnectionSlots& slots, Done done);
  TlsProbeRun(const TlsProbeRun&) = delete;
  TlsProbeRun& operator=(const TlsProbeRun&) = delete;

  // `done` runs once every probe has reported (possibly before start() returns).
  void start();
  // Ends the open probe now; `done` still runs, once no slot grant is outstanding.
  void cancel();
  bool finished() const { return finished_; }
  TlsProbeResults take_results() { return std::move(results_); }

 private:
  struct Step {
    TlsProbeKind kind = TlsProbeKind::handshake;
    TlsVersion version = TlsVersion::tls1;  // handshake steps only
  };

  void next();
  void open_probe();
  void record(const Step& step, TlsProbeOutcome&& outcome);
  void finish();

  uv_loop_t* loop_;
  const sockaddr_storage& address_;
  const AuditOptions& options_;
  bool implicit_;
  std::string server_name_;
  ConnectionSlots& slots_;
  Done done_;
  std::vector<Step> steps_;
  std::size_t next_step_ = 0;
  TlsProbeSession* open_ = nullptr;
  bool waiting_for_slot_ = false;
  bool cancelled_ = false;
  bool finished_ = false;
  TlsProbeResults results_;
};

}  // namespace relayaudit
