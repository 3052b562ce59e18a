// One --tls-probe connection on the libuv loop: a single handshake, or the STARTTLS injection
// check, with nothing else sent and a timeout on every step.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include <uv.h>

#include "core/duration.hpp"
#include "core/status.hpp"
#include "smtp/reply_parser.hpp"
#include "smtp/session.hpp"
#include "smtp/transport.hpp"

namespace relayaudit {

enum class TlsProbeKind {
  handshake,  // does the server complete a handshake with this client context?
  injection,  // STARTTLS and NOOP in one write: is the NOOP answered inside TLS? (CVE-2011-0411)
};

struct TlsProbeRequest {
  TlsProbeKind kind = TlsProbeKind::handshake;
  const TlsContext* context = nullptr;  // must outlive the probe
  bool implicit = false;                // TLS from the first byte; no injection over it
  std::string server_name;              // SNI, "" for an address target
  std::string ehlo_name;
  SessionTimeouts timeouts;
  Millis injection_wait{2000};  // how long an answer to the injected NOOP may take
  ReplyLimits limits;
};

struct TlsProbeOutcome {
  Status status = Status::ok;        // ok: the probe got its answer (whatever it was)
  std::string detail;                // why, for status != ok (OpenSSL's reason for TLS failures)
  bool established = false;          // the handshake completed
  std::string protocol;              // as negotiated, once established
  std::optional<Reply> unsolicited;  // injection: a reply inside TLS before we sent anything
  std::size_t bytes_after_starttls = 0;  // plaintext that followed the 220, discarded
};

// Steps: connect; implicit TLS: handshake; else banner, EHLO, STARTTLS (with NOOP in the same
// write for the injection probe), 220, handshake; injection: wait for an unasked reply; QUIT.
class TlsProbeSession final : private TransportEvents {
 public:
  using Done = std::function<void(TlsProbeOutcome&&)>;

  // Every outcome, even an immediate failure, is reported once, asynchronously; the session
  // deletes itself right after `done` returns.
  static TlsProbeSession* start(uv_loop_t* loop, const sockaddr_storage& address,
                                TlsProbeRequest request, Done done);
  TlsProbeSession(const TlsProbeSession&) = delete;
  TlsProbeSession& operator=(const TlsProbeSession&) = delete;
  void cancel();

 private:
  enum class State { connecting, banner, ehlo, starttls, handshake, listening, quitting, closing };

  TlsProbeSession(uv_loop_t* loop, TlsProbeRequest request, Done done);
  ~TlsProbeSession() = default;

  void on_transport_connected(int status) override;
  void on_transport_bytes(std::string_view bytes) override;
  void on_transport_end(int status) override;
  void on_tls_established() override;
  void on_tls_failed(const std::string& reason, bool in_handshake) override;
  void on_transport_closed() override { on_handle_closed(); }
  // False once the session is finishing.
  bool on_reply(const Reply& reply);
  void send(std::string_view commands, State next);
  void start_handshake();
  void quit();
  void on_timeout();
  void arm_timer(Millis timeout);
  void finish(Status status, std::string detail);
  void on_handle_closed();

  uv_loop_t* loop_;
  TlsProbeRequest request_;
  Done done_;
  Transport transport_;
  uv_timer_t timer_{};
  int open_handles_ = 2;  // the socket and the timer
  State state_ = State::connecting;
  ReplyParser parser_;
  bool handshake_next_ = false;  // the 220 to STARTTLS arrived: TLS starts after this read
  TlsProbeOutcome outcome_;
};

}  // namespace relayaudit
