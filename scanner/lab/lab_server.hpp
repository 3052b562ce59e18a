// The lab: simulated SMTP gateways on loopback, each with a profile, on one libuv loop.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <uv.h>

#include "core/duration.hpp"

namespace relayaudit {

enum class LabProfile {
  closed,             // refuses relay: 554 5.7.1 Relay access denied
  open,               // accepts every recipient
  greylisting,        // open relay behind greylisting: first try of a triplet gets 450
  greylist_forever,   // every RCPT gets 450, forever
  ehlo_reject,        // open relay that answers EHLO with 502 (HELO works), like OS/400
  starttls_required,  // advertises STARTTLS, answers 530 to MAIL
  error_limit,        // closed; 421 and disconnect after LabOptions::error_limit errors
  tarpit,             // closed; slow multi-line banner and slow replies
  percent_hack,       // closed, but rewrites user%ext@local and relays it
  reject_banner,      // 554 banner: no SMTP service for us
  drop_mid_plan,      // closed; drops the connection (no reply) at the Nth RCPT of a session
  silent,             // accepts the connection, never sends a banner
  endless_reply,      // banner of continuation lines that never ends
  huge_line,          // banner line of several MiB with no CRLF for a long time
  binary_reply,       // closed, replies carry bytes that are not UTF-8, control chars, markup
  truncated_close,    // sends "220 partial" without CRLF, then closes
};

std::string_view to_string(LabProfile profile);
std::optional<LabProfile> lab_profile_from_string(std::string_view name);
const std::vector<LabProfile>& all_lab_profiles();

// The verdict a correct scanner reaches for a gateway with this profile under default options.
std::string_view expected_verdict(LabProfile profile);

struct LabOptions {
  Millis greylist_window{1000};  // a triplet is accepted once it is this old
  Millis tarpit_banner_delay{1500};
  Millis tarpit_reply_delay{200};
  int error_limit = 10;         // Postfix smtpd_hard_error_limit-like, per connection
  int drop_at_rcpt = 3;         // drop_mid_plan: the RCPT number that kills the connection
  std::size_t max_line = 4096;  // longer command lines get 500 and are discarded
};

struct LabGatewayConfig {
  LabProfile profile = LabProfile::closed;
  std::string bind_address = "127.0.0.1";  // any loopback address, IPv4 or ::1
  std::uint16_t port = 0;                  // 0: the kernel picks a free port
};

struct LabGateway {
  LabProfile profile;
  std::string address;
  std::uint16_t port = 0;
  std::string host_name;       // "<profile>-<n>.lab.relayaudit.test"
  std::string target() const;  // "127.0.0.1:40123" or "[::1]:40123"
};

struct LabStats {
  std::uint64_t connections = 0;
  std::uint64_t commands = 0;
  std::uint64_t data_commands = 0;          // DATA must never arrive during an audit
  std::uint64_t max_commands_per_read = 0;  // > 1 shows the client pipelined
  std::uint64_t pregreet_violations = 0;    // client talked before the final 220
};

class LabServer {
 public:
  LabServer(uv_loop_t* loop, LabOptions options = {});
  ~LabServer();
  LabServer(const LabServer&) = delete;
  LabServer& operator=(const LabServer&) = delete;

  // Binds and listens for every gateway; an error names the address and the libuv reason.
  std::optional<std::string> start(const std::vector<LabGatewayConfig>& gateways);
  const std::vector<LabGateway>& gateways() const;
  const LabStats& stats() const;
  // Closes listeners and open connections; `on_closed` runs once every handle is closed.
  void close(std::function<void()> on_closed = {});

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// One gateway of every profile that a default audit can finish quickly (no silent/endless ones).
std::vector<LabGatewayConfig> default_lab_fleet();
// `count` gateways alternating closed and open, for benchmarks.
std::vector<LabGatewayConfig> benchmark_lab_fleet(std::size_t count);

}  // namespace relayaudit
