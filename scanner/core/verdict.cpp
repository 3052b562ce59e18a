// Names and combination rules of the verdict contract.
#include "core/verdict.hpp"

namespace relayaudit {

std::string_view to_string(Outcome value) {
  switch (value) {
    case Outcome::accepted:
      return "accepted";
    case Outcome::rejected:
      return "rejected";
    case Outcome::deferred:
      return "deferred";
    case Outcome::blocked:
      return "blocked";
    case Outcome::error:
      return "error";
  }
  return "error";
}

std::string_view to_string(Stage value) {
  switch (value) {
    case Stage::connect:
      return "connect";
    case Stage::tls:
      return "tls";
    case Stage::banner:
      return "banner";
    case Stage::ehlo:
      return "ehlo";
    case Stage::helo:
      return "helo";
    case Stage::mail:
      return "mail";
    case Stage::rcpt:
      return "rcpt";
    case Stage::data:
      return "data";
    case Stage::rset:
      return "rset";
    case Stage::quit:
      return "quit";
  }
  return "connect";
}

std::string_view to_string(TestVerdict value) {
  switch (value) {
    case TestVerdict::pass:
      return "pass";
    case TestVerdict::fail:
      return "fail";
    case TestVerdict::inconclusive:
      return "inconclusive";
    case TestVerdict::info:
      return "info";
  }
  return "inconclusive";
}

std::string_view to_string(EndpointVerdict value) {
  switch (value) {
    case EndpointVerdict::open_relay:
      return "open-relay";
    case EndpointVerdict::closed:
      return "closed";
    case EndpointVerdict::inconclusive:
      return "inconclusive";
    case EndpointVerdict::unreachable:
      return "unreachable";
  }
  return "inconclusive";
}

std::string_view to_string(Expectation value) {
  return value == Expectation::reject ? "reject" : "accept";
}

std::optional<Expectation> expectation_from_string(std::string_view text) {
  if (text == "reject") return Expectation::reject;
  if (text == "accept") return Expectation::accept;
  return std::nullopt;
}

std::optional<EndpointVerdict> endpoint_verdict_from_string(std::string_view text) {
  for (EndpointVerdict verdict : {EndpointVerdict::open_relay, EndpointVerdict::closed,
                                  EndpointVerdict::inconclusive, EndpointVerdict::unreachable}) {
    if (to_string(verdict) == text) return verdict;
  }
  return std::nullopt;
}

TestVerdict judge_test(Expectation expectation, Outcome outcome) {
  if (expectation == Expectation::reject) {
    if (outcome == Outcome::rejected) return TestVerdict::pass;
    if (outcome == Outcome::accepted) return TestVerdict::fail;
    return TestVerdict::inconclusive;
  }
  return outcome == Outcome::accepted ? TestVerdict::pass : TestVerdict::inconclusive;
}

EndpointVerdict judge_endpoint(const std::vector<JudgedTest>& tests) {
  bool all_passed = !tests.empty();
  bool any_greeted = false;
  for (const auto& test : tests) {
    if (test.expectation == Expectation::reject && test.verdict == TestVerdict::fail) {
      return EndpointVerdict::open_relay;
    }
    all_passed = all_passed && test.verdict == TestVerdict::pass;
    any_greeted = any_greeted || test.got_past_banner;
  }
  if (all_passed) return EndpointVerdict::closed;
  if (!any_greeted) return EndpointVerdict::unreachable;
  return EndpointVerdict::inconclusive;
}

EndpointVerdict combine_paths(EndpointVerdict tls, EndpointVerdict plain) {
  if (tls == EndpointVerdict::open_relay || plain == EndpointVerdict::open_relay) {
    return EndpointVerdict::open_relay;
  }
  // Closed on one path and unproven on the other is not proven closed.
  return tls == plain ? tls : EndpointVerdict::inconclusive;
}

int severity_rank(EndpointVerdict value) {
  switch (value) {
    case EndpointVerdict::closed:
      return 0;
    case EndpointVerdict::unreachable:
      return 1;
    case EndpointVerdict::inconclusive:
      return 2;
    case EndpointVerdict::open_relay:
      return 3;
  }
  return 2;
}

EndpointVerdict worst_of(EndpointVerdict a, EndpointVerdict b) {
  return severity_rank(a) >= severity_rank(b) ? a : b;
}

}  // namespace relayaudit
