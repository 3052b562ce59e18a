// The verdict contract of DESIGN.md: test outcomes, stages and verdicts, and how they combine.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

namespace relayaudit {

// What happened to one test.
enum class Outcome { accepted, rejected, deferred, blocked, error };

// Where in the SMTP dialogue a test was decided.
// `tls`: the TLS handshake (STARTTLS, or implicit TLS before the banner).
enum class Stage { connect, tls, banner, ehlo, helo, mail, rcpt, data, rset, quit };

// `info`: a probe found something worth reporting that is not an open relay.
enum class TestVerdict { pass, fail, inconclusive, info };

enum class EndpointVerdict { open_relay, closed, inconclusive, unreachable };

// What a script expects: relay attempts expect a rejection at RCPT, controls an acceptance.
enum class Expectation { reject, accept };

std::string_view to_string(Outcome value);
std::string_view to_string(Stage value);
std::string_view to_string(TestVerdict value);
std::string_view to_string(EndpointVerdict value);
std::string_view to_string(Expectation value);

std::optional<Expectation> expectation_from_string(std::string_view text);
std::optional<EndpointVerdict> endpoint_verdict_from_string(std::string_view text);

// A relay attempt passes when rejected and fails when accepted; a control never fails.
TestVerdict judge_test(Expectation expectation, Outcome outcome);

struct JudgedTest {
  Expectation expectation;
  TestVerdict verdict;
  bool got_past_banner;  // true when the session that ran it was greeted with 220
};

// open-relay if any relay attempt failed; closed if all attempts and controls passed;
// unreachable if no session got past the banner; else inconclusive.
EndpointVerdict judge_endpoint(const std::vector<JudgedTest>& tests);

// The endpoint verdict from the verdicts of its TLS and plaintext paths: open on either is open;
// paths that disagree otherwise are inconclusive.
EndpointVerdict combine_paths(EndpointVerdict tls, EndpointVerdict plain);

// Severity order used for per-domain and per-run roll-ups (the worst wins).
int severity_rank(EndpointVerdict value);
EndpointVerdict worst_of(EndpointVerdict a, EndpointVerdict b);

}  // namespace relayaudit
