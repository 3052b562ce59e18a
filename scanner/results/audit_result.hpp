// The results model: per test, per endpoint, per run. The scheduler fills it; reports render it.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/status.hpp"
#include "core/verdict.hpp"
#include "dns/dnsbl.hpp"
#include "dns/mx_map.hpp"
#include "relaytests/relay_script.hpp"
#include "smtp/greeting.hpp"
#include "smtp/reply.hpp"
#include "smtp/transcript.hpp"
#include "targets/target.hpp"
#include "tls/tls_facts.hpp"

namespace relayaudit {

// A sender the server refused at MAIL FROM before the test found one it accepts.
struct RefusedSender {
  std::string sender;
  Reply reply;
};

struct TestResult {
  std::string id;
  std::string title;
  std::string severity;
  ScriptKind kind = ScriptKind::relay;
  ScriptTrick trick = ScriptTrick::baseline;
  std::vector<std::string> tags;
  Expectation expect = Expectation::reject;
  std::string mail_domain;           // the mail domain {target_domain} stood for, when DNS gave one
  std::string ehlo;                  // EHLO name used for this test
  std::string mail_from;             // expanded, as sent inside <>
  std::vector<std::string> rcpt_to;  // expanded, as sent inside <>
  Outcome outcome = Outcome::error;
  Stage stage = Stage::connect;
  Status status = Status::ok;
  std::optional<Reply> reply;  // the decisive reply, when there was one
  int attempts = 0;            // tries, counting greylisting retries and reconnects
  TestVerdict verdict = TestVerdict::inconclusive;
  std::string refusal;  // refusal reason of a 4xx/5xx decisive reply ("relay-denied", ...)
  std::vector<RefusedSender> refused_senders;  // senders refused before the trick could run
  std::optional<Reply> data_reply;  // --confirm-data: the answer to DATA (then we hung up)
  std::string detail;               // why, in one sentence, when the outcome alone is not enough
  bool over_tls = false;            // the path it ran on: inside TLS, or plaintext
  Transcript transcript;            // the lines that led to this result
};

// How strong the evidence of an open-relay verdict is.
struct RelayEvidence {
  std::string strength;         // "direct", "address-form" or "weak"
  bool sink_suspected = false;  // accepts every recipient, even unroutable ones
  std::string detail;
};

// Something a probe found that is worth reporting but is not an open relay.
struct Finding {
  std::string id;
  std::string severity;
  std::string message;
  std::string domain;  // the mail domain it concerns, for domain-level findings
};

// One extra handshake of --tls-probe versions: the server offered only this legacy version.
struct TlsVersionCheck {
  std::string version;    // "TLSv1", "TLSv1.1"
  bool accepted = false;  // the handshake completed at this version
  std::string detail;     // OpenSSL's reason when refused, or why the check could not run
};

// --tls-probe: extra connections that look for TLS weaknesses; findings, never relay verdicts.
struct TlsProbeResults {
  std::vector<TlsVersionCheck> versions;   // --tls-probe versions
  std::optional<bool> starttls_injection;  // --tls-probe injection: plaintext answered inside TLS
  std::string injection_detail;            // what showed it, or why the check could not run
};

// What the scheduler learned about how hard this server may be pushed (README "Pacing").
struct PacingFacts {
  int connection_cap = 0;         // parallel connections allowed at the end (lowered by a 421)
  int peak_connections = 0;       // most connections open at once
  int errors_per_connection = 0;  // failing commands allowed per connection at the end
  int syntax_errors_per_connection = 0;   // of those, replies 500/501 (Exim drops after 3)
  std::optional<int> error_limit;         // errors after which the server slowed down or hung up
  std::optional<int> syntax_error_limit;  // syntax errors after which it hung up
  bool connection_limit_seen = false;     // a 421 about too many connections from us
  std::optional<std::int64_t> tarpit_ms;  // the delay seen before each rejected RCPT
  std::optional<std::int64_t> greet_wait_ms;  // connect to the final 220 of the banner
  int greylist_waits = 0;                     // greylisting delays the endpoint waited out
};

struct EndpointResult {
  Endpoint endpoint;
  EndpointVerdict verdict = EndpointVerdict::unreachable;
  std::string verdict_reason;
  std::optional<Greeting> greeting;
  Status status = Status::ok;  // how the last session ended
  Stage stage = Stage::connect;
  std::string error;  // human text for status != ok
  int connections = 0;
  int round_trips = 0;  // command/reply exchanges that waited on the network
  std::int64_t started_ms = 0;
  std::int64_t finished_ms = 0;
  std::vector<TestResult> tests;
  std::optional<RelayEvidence> evidence;  // set for open-relay verdicts
  std::vector<Finding> findings;
  std::vector<DnsblResult> dnsbl;  // --dnsbl: the address on each zone
  int domains_unchecked = 0;  // served mail domains past --domain-controls: postmaster not asked
  bool implicit_tls = false;  // TLS from the first byte (port 465)
  bool starttls_offered = false;         // the plaintext EHLO advertised STARTTLS
  std::optional<TlsFacts> tls;           // the first successful handshake
  std::string tls_error;                 // STARTTLS refused or a handshake failed, and why
  std::size_t bytes_after_starttls = 0;  // plaintext after the 220 to STARTTLS, discarded
  // "implicit", "required" (MAIL refused until TLS), "offered", "absent"; "" when no EHLO was read.
  std::string starttls_policy;
  bool tls_detected = false;  // no plaintext banner, but TLS answered: the port wants smtps://
  std::optional<TlsProbeResults> tls_probes;  // --tls-probe
  int tls_handshakes = 0;                     // completed, on the plan's connections
  int tls_resumed = 0;  // of those, resumptions of an earlier connection's session
  PacingFacts pacing;
  Transcript transcript;
};

struct InputProblem {
  std::string target;  // the spec as written
  std::string origin;  // "argument" or "file:line"
  Status status = Status::resolve_failed;
  std::string message;
};

// A mail-domain target and the MX map it expanded to.
struct ScannedDomain {
  std::string target;  // the spec as written
  std::string origin;  // "argument" or "file:line"
  std::uint16_t port = 25;
  MailDomain map;
};

struct ScanResult {
  std::chrono::system_clock::time_point started;
  std::chrono::system_clock::time_point finished;
  nlohmann::json options = nlohmann::json::object();  // what the run was asked to do
  std::vector<std::string> scripts;                   // ids of the scripts in the plan
  std::vector<EndpointResult> endpoints;
  // Endpoints finished by an earlier, interrupted run (--resume), as their results JSON.
  std::vector<nlohmann::json> resumed_endpoints;
  std::vector<InputProblem> unresolved;  // targets that expanded to no endpoint
  std::vector<ScannedDomain> domains;    // mail-domain targets, in input order
  std::vector<std::string> dnsbl_zones;  // --dnsbl
  bool complete = true;
};

}  // namespace relayaudit
