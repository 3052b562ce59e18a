// The lab: simulated SMTP gateways on loopback, each with a profile, on one libuv loop.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <uv.h>

#include "core/duration.hpp"

namespace relayaudit {

enum class LabProfile {
  closed,  // refuses relay: 554 5.7.1 Relay access denied
  // closed, and its host name and address literal are not its domains: it receives mail only
  // for corp.relayaudit.test (and LabOptions::mail_domains), as a relay-only Postfix with an empty
  // mydestination; the bare <postmaster> of RFC 5321 4.5.1 is accepted
  pure_gateway,
  // closed, but a catch-all: any local part at its own names is a mailbox, routing characters
  // (%, !, quotes) included, so address-form tricks are accepted and never relayed
  catch_all,
  open,               // accepts every recipient
  greylisting,        // open relay behind greylisting: first try of a triplet gets 450
  greylist_forever,   // every RCPT gets 450, forever
  ehlo_reject,        // open relay that answers EHLO with 502 (HELO works), like OS/400
  starttls_required,  // real STARTTLS; 530 to MAIL before TLS, an open relay inside TLS
  error_limit,        // closed; 421 and disconnect after LabOptions::error_limit errors
  tarpit,             // closed; slow multi-line banner and slow replies
  percent_hack,       // closed, but rewrites user%ext@[its address literal] and relays it
  reject_banner,      // 554 banner: no SMTP service for us
  drop_mid_plan,      // closed; drops the connection (no reply) at the Nth RCPT of a session
  silent,             // accepts the connection, never sends a banner
  endless_reply,      // banner of continuation lines that never ends
  huge_line,          // banner line of several MiB with no CRLF for a long time
  binary_reply,       // closed, replies carry bytes that are not UTF-8, control chars, markup
  truncated_close,    // sends "220 partial" without CRLF, then closes

  // Closed, but refuses at MAIL FROM the senders that reject_unknown_sender_domain would: a
  // domain ending in ".invalid", none, an address literal or "localhost" (553 5.1.8). The null
  // sender and senders at its host name or mail domain pass.
  sender_check,
  hole_percent_hack_sender_check,  // sender_check plus the percent_hack hole

  // One relay hole each, named after the script that finds it ("relay-" becomes "hole-");
  // closed otherwise. Sender holes relay when MAIL FROM has the named form, and only for a plain
  // external recipient (a mailbox at a foreign domain name, no routing syntax):
  hole_null_sender,           // <>
  hole_random_host_sender,    // a sender at a subdomain of the recipient's domain
  hole_localhost_sender,      // user@localhost
  hole_unqualified_sender,    // user, no '@'
  hole_host_name_sender,      // user@<its host name>
  hole_spoofed_local_sender,  // user@lab.relayaudit.test, its mail domain
  hole_ip_literal_sender,     // user@<its address literal>
  hole_postmaster_sender,     // postmaster@<any of its domains>
  // Recipient holes accept exactly one routing form whose forwarding destination is foreign:
  // "ip" forms at its address literal, "name" forms at its host name or mail domain.
  hole_percent_hack_name,      // u%ext@name
  hole_quoted_at,              // "u@ext"
  hole_quoted_percent,         // "u%ext"
  hole_double_at_ip,           // u@ext@[literal]
  hole_double_at_name,         // u@ext@name
  hole_quoted_at_ip,           // "u@ext"@[literal]
  hole_quoted_at_name,         // "u@ext"@name
  hole_source_route_ip,        // @[literal]:u@ext
  hole_source_route_name,      // @name:u@ext
  hole_bang_path,              // ext!u
  hole_bang_path_ip,           // ext!u@[literal]
  hole_bang_path_name,         // ext!u@name
  hole_percent_null_domain,    // u%ext@
  hole_double_at_null_domain,  // u@ext@
  // HELO holes relay for a plain external recipient while the session's current EHLO/HELO name
  // is the trigger, and only then (a check_helo_access PERMIT before reject_unauth_destination):
  hole_helo_localhost,   // "localhost"
  hole_helo_own_name,    // its host name
  hole_helo_ip_literal,  // its address literal
  // closed per recipient, but once a local recipient was accepted in a transaction, every later
  // recipient of it is accepted and relayed (a relay decision made once per transaction)
  hole_after_local_recipient,
  // closed, and it also relays for corp.relayaudit.test (relay_domains, to a hub that reparses
  // local parts): the percent hack, bang paths, double @, quoted @ and source routes are honoured
  // there, never at its host name or address literal; only the "-domain" scripts find it, with
  // --mail-domain corp.relayaudit.test (or mail-domain= in a targets file)
  hole_routed_at_domain,

  // Hostile reply streams, closed otherwise (554 5.7.1 to every relay attempt); a scanner that
  // pairs replies with commands blindly reads them as open relays:
  reply_after_banner,     // an unsolicited "250 2.0.0 Ok" in the same write as the banner
  double_banner,          // a second 220 banner 50 ms after the first, as some SMTP proxies do
  extra_reply_mid_batch,  // an extra "250 2.1.0 Ok" before every reply to MAIL
  repeated_replies,       // every reply, the banner too, sent 100 times
  swapped_rcpt_rset,      // the reply to RCPT comes after the reply to the next command
  stray_reject,           // a stray "550 5.7.1 Relaying denied" before the first MAIL reply
  reply_after_quit,       // "250 2.0.0 Ok" right after its 221 to QUIT
  open_silent_quit,       // open relay that hangs up instead of answering QUIT
  // Closed, honest, but every reply (the banner too) carries 15 continuation lines of 4,000
  // bytes first: 60 KB replies, inside the reply parser's limits.
  bulky_replies,
  starttls_offered,  // closed; real STARTTLS (the lab's self-signed certificate)
  starttls_broken,   // closed; advertises STARTTLS and answers it 454
  // Closed, real STARTTLS, but "250 2.0.0 Ok" follows its 220 in plaintext: a client that read
  // it inside TLS would be out of step (the CVE-2011-0411 class, from the server's side).
  starttls_extra_reply,
  smtps,  // implicit TLS (RFC 8314): the banner comes inside TLS; an open relay
  // Real STARTTLS; closed inside TLS, but relays for anyone in plaintext (relay rules on the
  // TLS path only): found by the plaintext re-run of the baseline attempts.
  starttls_plain_open,
  // Closed; Sendmail greet_pause: silent for tarpit_banner_delay, then the banner (554 to a
  // client that talks first). Not TLS: a port that is silent at first is not always 465.
  greet_pause,
  // TLS profiles: closed, STARTTLS (implicit TLS with LabGatewayConfig::implicit_tls).
  tls_garbage,          // answers the ClientHello with junk bytes
  tls_stall,            // reads the ClientHello, never answers
  starttls_injection,   // runs commands pipelined after STARTTLS, answers them inside TLS
  tls_legacy,           // also accepts TLSv1 and TLSv1.1 (security level 0)
  tls_huge_chain,       // sends a certificate chain of several MB
  tls_renegotiate,      // TLS 1.2 only; asks for a renegotiation right after the handshake
  tls_garbage_records,  // completes the handshake, then sends records that do not decrypt
  expired_cert,     // closed; real STARTTLS, its certificate expired yesterday (valid -30..-1 days)
  wrong_host_cert,  // closed; real STARTTLS, its certificate names only mx.other.invalid

  // Servers that tell a client how hard it may push them, closed otherwise (error_policy.hpp
  // has the exact counting):
  exchange_tarpit,    // tarpit_delay before each 5xx to RCPT; 421 after protocol_error_limit
  postscreen,         // "220-" teaser, greet_wait, then "220 "; 521 to a client that talks first
  exim_syntax_limit,  // 501 to routed forms; dropped past syntax_error_limit syntax errors
  connection_limit,   // 421 banner to the (connection_limit + 1)-th connection from one address
  error_sleep,        // Postfix soft/hard error limits: replies sleep, then 421

  // Vantage (--xclient, --proxy-protocol): a Postfix with mynetworks = 127.0.0.0/8 relays for a
  // loopback client (the CI runner) and is closed for everyone else.
  trusts_runner,        // offers XCLIENT to loopback clients (smtpd_authorized_xclient_hosts)
  trusts_runner_proxy,  // no XCLIENT; behind a load balancer: a PROXY v1/v2 header comes first
  xclient_refused,      // trusts_runner, but answers XCLIENT 550 5.7.0 insufficient authorization
  proxy_garbage,        // expects a PROXY header and answers it with bytes that are not SMTP
};

std::string_view to_string(LabProfile profile);
std::optional<LabProfile> lab_profile_from_string(std::string_view name);
const std::vector<LabProfile>& all_lab_profiles();

// The verdict a correct scanner reaches for a gateway with this profile under default options.
std::string_view expected_verdict(LabProfile profile);

// The test oracle: ids of the relay scripts that a correct scanner reports failed (relay
// accepted) on a gateway with this profile, with every other relay script passing. A hole
// profile lists its own script plus the overlaps its rule really has (a sender at the host name
// also covers postmaster@<host name>); `open` and `greylisting` list every relay script;
// `ehlo_reject` every one but the relay-helo-* scripts, whose re-issued EHLO it refuses; every
// other profile none. Scripts bound to some ports (relay-submission-no-auth: 587 and 465) fail
// only where they run. Probes and controls are never listed: every hole profile answers them
// like `closed`.
std::vector<std::string_view> expected_failing_scripts(LabProfile profile);

// The profiles with exactly one relay hole (or one hole plus its real overlaps), including
// percent_hack and hole_percent_hack_sender_check; each earns "open-relay".
std::vector<LabProfile> hole_profiles();

struct LabOptions {
  // Every byte a gateway sends reaches the client this much later, like a network path: replies
  // keep their order, and a pipelined batch is answered one latency after it was read.
  Millis latency{0};
  Millis greylist_window{1000};  // a triplet is accepted once it is this old
  Millis tarpit_banner_delay{1500};
  Millis tarpit_reply_delay{200};
  int error_limit = 10;          // Postfix smtpd_hard_error_limit-like, per connection
  Millis tarpit_delay{5000};     // exchange-tarpit: Exchange's TarpitInterval, before 5xx to RCPT
  int protocol_error_limit = 5;  // exchange-tarpit: Exchange's MaxProtocolErrors
  Millis greet_wait{2000};       // postscreen: postscreen_greet_wait, between teaser and 220
  int syntax_error_limit = 3;    // exim-syntax-limit: Exim's smtp_max_synprot_errors
  int connection_limit = 2;      // connection-limit: concurrent connections per client address
  int soft_error_limit = 3;      // error-sleep: smtpd_soft_error_limit
  Millis error_sleep{1000};      // error-sleep: smtpd_error_sleep_time
  int hard_error_limit = 5;      // error-sleep: smtpd_hard_error_limit
  int drop_at_rcpt = 3;          // drop_mid_plan: the RCPT number that kills the connection
  std::size_t max_line = 4096;   // longer command lines get 500 and are discarded
  // Bind address -> mail domains its gateways receive mail for besides their own names (as an
  // MX of those domains); any other domain is a relay destination.
  std::map<std::string, std::vector<std::string>> mail_domains;
};

struct LabGatewayConfig {
  LabProfile profile = LabProfile::closed;
  std::string bind_address = "127.0.0.1";  // any loopback address, IPv4 or ::1
  std::uint16_t port = 0;                  // 0: the kernel picks a free port
  bool implicit_tls = false;               // a TLS profile speaks TLS from the first byte
};

struct LabGateway {
  LabProfile profile;
  std::string address;
  std::uint16_t port = 0;
  std::string host_name;       // "<profile>-<n>.lab.relayaudit.test"
  bool implicit_tls = false;   // smtps, or a TLS profile configured so
  std::string target() const;  // "127.0.0.1:40123" or "[::1]:40123"
  // The target as a user writes it: smtps:// in front for the implicit-TLS profile.
  std::string scan_target() const;
};

struct LabStats {
  std::uint64_t connections = 0;
  std::uint64_t commands = 0;
  std::uint64_t data_commands = 0;          // an audit sends DATA at most to see the 354
  std::uint64_t messages_queued = 0;        // message content ended by "."; never in an audit
  std::uint64_t max_commands_per_read = 0;  // > 1 shows the client pipelined
  std::uint64_t pregreet_violations = 0;    // client talked before the final 220
  std::uint64_t tls_sessions = 0;           // TLS handshakes completed
  // The most connections one client address had open at once to one gateway, any profile.
  std::uint64_t peak_connections_per_peer = 0;
  std::uint64_t connection_limit_refusals = 0;  // connection-limit: 421 banners sent
  // The most error replies (4xx/5xx) one connection drew, any profile.
  std::uint64_t peak_errors_per_connection = 0;
  // Sessions a gateway ended for too many errors (error-limit, error-sleep, exchange-tarpit,
  // exim-syntax-limit).
  std::uint64_t error_limit_drops = 0;
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
