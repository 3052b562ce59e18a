// Evidence strength of open-relay verdicts and probe findings.
#include "scheduler/evidence.hpp"

#include <algorithm>

namespace relayaudit {
namespace {

bool has_tag(const TestResult& test, const char* tag) {
  return std::find(test.tags.begin(), test.tags.end(), tag) != test.tags.end();
}

bool accepted(const std::vector<TestResult>& tests, const char* id) {
  return std::any_of(tests.begin(), tests.end(), [&](const TestResult& test) {
    return test.id == id && test.outcome == Outcome::accepted;
  });
}

}  // namespace

TestVerdict judge_probe(Outcome outcome) {
  if (outcome == Outcome::rejected) return TestVerdict::pass;
  if (outcome == Outcome::accepted) return TestVerdict::info;
  return TestVerdict::inconclusive;
}

RelayEvidence weigh_evidence(const std::vector<TestResult>& tests) {
  RelayEvidence evidence;
  const TestResult* direct = nullptr;
  int address_forms = 0;
  for (const auto& test : tests) {
    if (test.kind != ScriptKind::relay || test.verdict != TestVerdict::fail) continue;
    if (has_tag(test, kAddressFormTag)) {
      ++address_forms;
    } else if (direct == nullptr) {
      direct = &test;
    }
  }
  const bool any_local_part = accepted(tests, kProbeUnknownLocal);
  evidence.sink_suspected = any_local_part && accepted(tests, kProbeUnroutable);
  if (direct != nullptr) {
    evidence.strength = "direct";
    evidence.detail = direct->id + ": a plain external recipient was accepted at RCPT TO";
  } else if (any_local_part) {
    evidence.strength = "weak";
    evidence.detail = std::to_string(address_forms) +
                      " address-form trick(s) accepted by a server that accepts any local part: "
                      "it may take them as local mailbox names and never relay them";
  } else {
    evidence.strength = "address-form";
    evidence.detail = std::to_string(address_forms) +
                      " address-form trick(s) accepted while unknown local users are refused";
  }
  if (evidence.sink_suspected) {
    evidence.detail +=
        "; it accepts every recipient, even unroutable ones: a sink or catch-all that may bounce "
        "later (check whether mail really leaves it)";
  }
  return evidence;
}

std::vector<Finding> probe_findings(const std::vector<TestResult>& tests) {
  std::vector<Finding> findings;
  for (const auto& test : tests) {
    if (test.kind != ScriptKind::probe || test.outcome != Outcome::accepted) continue;
    std::string message = test.title + ": RCPT TO:<" +
                          (test.rcpt_to.empty() ? std::string() : test.rcpt_to.back()) +
                          "> was accepted";
    if (test.id == kProbeUnknownLocal) {
      message += " (no recipient verification at RCPT: a backscatter risk, not a relay)";
    }
    findings.push_back(Finding{test.id, test.severity, std::move(message), ""});
  }
  return findings;
}

std::vector<Finding> domain_refusal_findings(const std::vector<TestResult>& tests,
                                             const std::string& host_name) {
  std::vector<Finding> findings;
  for (const auto& test : tests) {
    if (test.kind != ScriptKind::control || test.mail_domain.empty() ||
        test.outcome != Outcome::rejected || !test.reply) {
      continue;
    }
    const std::string rcpt = test.rcpt_to.empty() ? std::string() : test.rcpt_to.back();
    std::string message = (host_name.empty() ? std::string("this MX") : "MX " + host_name) +
                          " of " + test.mail_domain + " refused RCPT TO:<" + rcpt + "> with " +
                          std::to_string(test.reply->code) +
                          (test.refusal.empty() ? std::string() : " (" + test.refusal + ")") +
                          ": mail for " + test.mail_domain +
                          " that reaches this MX (whenever a preferred one is down) bounces or "
                          "waits in queues instead of being accepted";
    findings.push_back(
        Finding{kFindingMxRefusesDomain, "medium", std::move(message), test.mail_domain});
  }
  return findings;
}

}  // namespace relayaudit
