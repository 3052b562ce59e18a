// Human explanations of endpoint verdicts.
#include "scheduler/verdict_reason.hpp"

#include <algorithm>

#include "smtp/refusal_reason.hpp"

namespace relayaudit {
namespace {

std::string first_line(const Reply& reply) {
  return reply.lines.empty() ? std::string() : reply.lines.front();
}

}  // namespace

bool refused_until_tls(const TestResult& test) {
  return test.stage == Stage::mail && test.refusal == to_string(RefusalReason::tls_required);
}

bool tls_path_decides(const std::vector<TestResult>& tests) {
  bool inside_tls = false;
  int unsettled = 0;
  int refused = 0;
  for (const TestResult& test : tests) {
    inside_tls = inside_tls || test.over_tls;
    if (test.kind == ScriptKind::probe || test.over_tls || test.verdict == TestVerdict::pass) {
      continue;
    }
    ++unsettled;
    if (refused_until_tls(test)) ++refused;
  }
  return inside_tls && refused > 0 && refused == unsettled;
}

std::string describe_test(const TestResult& test) {
  std::string text;
  switch (test.stage) {
    case Stage::mail:
      text = "MAIL FROM:<" + test.mail_from + ">";
      break;
    case Stage::rcpt:
      text = "RCPT TO:<" + (test.rcpt_to.empty() ? std::string() : test.rcpt_to.back()) + ">";
      break;
    default:
      text = std::string(to_string(test.stage));
      break;
  }
  if (test.reply) return text + " -> " + first_line(*test.reply);
  text += " -> " + std::string(to_string(test.status));
  // A protocol error says which rule the server broke ("reply stream out of sync: ...").
  if (test.status == Status::protocol_error && !test.detail.empty()) text += ": " + test.detail;
  return text;
}

std::string explain_verdict(const EndpointResult& result) {
  int relay_tests = 0;
  int failed = 0;
  const TestResult* first_failed = nullptr;
  int first_failed_rank = 0;
  const TestResult* first_unsettled = nullptr;
  // Plaintext refused until STARTTLS: the TLS path alone decided, as in EndpointAudit::judge.
  const bool tls_decides = tls_path_decides(result.tests);
  for (const auto& test : result.tests) {
    if (test.kind == ScriptKind::probe) continue;  // probes never decide the verdict
    if (tls_decides && !test.over_tls) continue;
    if (test.kind == ScriptKind::relay) ++relay_tests;
    if (test.verdict == TestVerdict::fail) {
      ++failed;
      const bool address_form =
          std::find(test.tags.begin(), test.tags.end(), "address-form") != test.tags.end();
      // Name the strongest evidence: the baseline (a stranger to a stranger), else a plain
      // external recipient, else an address form.
      const int rank = test.trick == ScriptTrick::baseline ? 3 : address_form ? 1 : 2;
      if (first_failed == nullptr || rank > first_failed_rank) {
        first_failed = &test;
        first_failed_rank = rank;
      }
    } else if (test.verdict != TestVerdict::pass && first_unsettled == nullptr) {
      first_unsettled = &test;
    }
  }
  switch (result.verdict) {
    case EndpointVerdict::open_relay:
      return std::to_string(failed) + " of " + std::to_string(relay_tests) +
             " relay attempts accepted (evidence: " +
             (result.evidence ? result.evidence->strength : std::string("direct")) +
             "); first: " + first_failed->id + ": " + describe_test(*first_failed) +
             (first_failed->over_tls ? " (inside TLS)" : "");
    case EndpointVerdict::closed:
      return "all " + std::to_string(relay_tests) +
             " relay attempts rejected at RCPT TO and every control accepted" +
             (tls_decides ? " inside TLS; in plaintext every MAIL FROM is refused until STARTTLS"
                          : "");
    case EndpointVerdict::unreachable:
      if (first_unsettled != nullptr && first_unsettled->reply) {
        return "refused at " + std::string(to_string(first_unsettled->stage)) + ": " +
               first_line(*first_unsettled->reply);
      }
      return "no session got past the banner: " + std::string(to_string(result.status)) +
             (result.error.empty() ? "" : " (" + result.error + ")");
    case EndpointVerdict::inconclusive:
      if (result.evidence && result.evidence->strength == "weak" && first_failed != nullptr) {
        return std::to_string(failed) +
               " address-form relay attempt(s) accepted, but the "
               "server accepts any local part, so they may be mailbox names: not proven to "
               "relay (finding relay-unconfirmed); first: " +
               first_failed->id + ": " + describe_test(*first_failed);
      }
      if (first_unsettled == nullptr) return "not every test settled";
      if (first_unsettled->detail.rfind(kVantageNotSimulated, 0) == 0) {
        return first_unsettled->detail +
               "; not audited from the scanner's own address instead, which the server may "
               "trust";
      }
      if (std::all_of(result.tests.begin(), result.tests.end(),
                      [](const TestResult& test) { return test.outcome == Outcome::deferred; })) {
        return "every test, the control included, was deferred (4xx) before and after a "
               "greylisting wait: the server defers everything; first: " +
               first_unsettled->id + ": " + describe_test(*first_unsettled);
      }
      if (first_unsettled->kind == ScriptKind::control &&
          first_unsettled->outcome == Outcome::rejected && first_unsettled->mail_domain.empty()) {
        return first_unsettled->id +
               " was rejected in every postmaster form (a control: closed is unproven; give "
               "--mail-domain D, the domain this gateway receives mail for): " +
               describe_test(*first_unsettled);
      }
      return first_unsettled->id + " was " + std::string(to_string(first_unsettled->outcome)) +
             (first_unsettled->kind == ScriptKind::control ? " (a control: closed is unproven)"
                                                           : "") +
             ": " + describe_test(*first_unsettled);
  }
  return "";
}

}  // namespace relayaudit
