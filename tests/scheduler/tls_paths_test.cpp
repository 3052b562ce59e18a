// --tls auto and both against the lab's real STARTTLS gateways: which tests run on which path,
// and how the two paths' verdicts make the endpoint's.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>

#include "support/lab_audit.hpp"

namespace relayaudit {
namespace {

using testing::fast_audit_options;
using testing::LabAuditRun;
using testing::only_endpoint;
using testing::run_lab_audit;

const std::set<std::string> kPlaintextBaseline = {"control-postmaster", "relay-external-sender",
                                                  "relay-null-sender",
                                                  "relay-spoofed-local-sender"};

LabAuditRun audit(LabProfile profile, TlsPaths paths) {
  AuditOptions options = fast_audit_options();
  options.session.tls_context = &testing::tls_client_context();
  options.tls_paths = paths;
  LabAuditRun run = run_lab_audit({LabGatewayConfig{profile, "127.0.0.1", 0}}, options, {}, {}, 64,
                                  testing::core_scripts());
  EXPECT_TRUE(run.loop_closed_cleanly) << "a libuv handle leaked";
  EXPECT_EQ(run.stats.data_commands, 0u);
  return run;
}

// Script id -> how many times it ran on each path.
struct PathCounts {
  std::map<std::string, int> tls;
  std::map<std::string, int> plain;
};

PathCounts count_paths(const EndpointResult& endpoint) {
  PathCounts counts;
  for (const TestResult& test : endpoint.tests)
    ++(test.over_tls ? counts.tls : counts.plain)[test.id];
  return counts;
}

TEST(TlsPaths, AutoRunsThePlanInsideTlsAndTheBaselineAndControlAlsoInPlaintext) {
  const LabAuditRun run = audit(LabProfile::starttls_offered, TlsPaths::baseline_plaintext);
  const EndpointResult& endpoint = only_endpoint(run);
  EXPECT_EQ(endpoint.verdict, EndpointVerdict::closed) << endpoint.verdict_reason;
  EXPECT_EQ(endpoint.starttls_policy, "offered");
  const PathCounts counts = count_paths(endpoint);
  EXPECT_EQ(counts.tls.size(), testing::core_scripts().size());
  for (const auto& [id, runs] : counts.tls) EXPECT_EQ(runs, 1) << id;
  std::set<std::string> plain;
  for (const auto& [id, runs] : counts.plain) {
    EXPECT_EQ(runs, 1) << id;
    plain.insert(id);
  }
  EXPECT_EQ(plain, kPlaintextBaseline);
  for (const TestResult& test : endpoint.tests) {
    EXPECT_EQ(test.verdict, TestVerdict::pass) << test.id << (test.over_tls ? " tls" : " plain");
  }
}

TEST(TlsPaths, BothRunsEveryScriptOnEachPath) {
  const LabAuditRun run = audit(LabProfile::starttls_offered, TlsPaths::both);
  const EndpointResult& endpoint = only_endpoint(run);
  EXPECT_EQ(endpoint.verdict, EndpointVerdict::closed) << endpoint.verdict_reason;
  const PathCounts counts = count_paths(endpoint);
  EXPECT_EQ(counts.tls.size(), testing::core_scripts().size());
  EXPECT_EQ(counts.plain.size(), testing::core_scripts().size());
  for (const auto& [id, runs] : counts.plain) EXPECT_EQ(runs, 1) << id;
}

TEST(TlsPaths, ARelayOpenOnlyInPlaintextIsFoundByThePlaintextBaseline) {
  const LabAuditRun run = audit(LabProfile::starttls_plain_open, TlsPaths::baseline_plaintext);
  const EndpointResult& endpoint = only_endpoint(run);
  EXPECT_EQ(endpoint.verdict, EndpointVerdict::open_relay) << endpoint.verdict_reason;
  std::set<std::string> failed;
  for (const TestResult& test : endpoint.tests) {
    if (test.over_tls) {
      EXPECT_EQ(test.verdict, TestVerdict::pass) << test.id << ": closed inside TLS";
    } else if (test.verdict == TestVerdict::fail) {
      failed.insert(test.id);
    }
  }
  const auto expected = expected_failing_scripts(LabProfile::starttls_plain_open);
  EXPECT_EQ(failed, std::set<std::string>(expected.begin(), expected.end()));
  EXPECT_EQ(endpoint.verdict_reason.find("(inside TLS)"), std::string::npos)
      << "the accepted attempt ran in plaintext: " << endpoint.verdict_reason;
}

TEST(TlsPaths, PlaintextThatRefusesMailUntilStarttlsLeavesTheVerdictToTheTlsPath) {
  const LabAuditRun run = audit(LabProfile::starttls_required, TlsPaths::baseline_plaintext);
  const EndpointResult& endpoint = only_endpoint(run);
  EXPECT_EQ(endpoint.verdict, EndpointVerdict::open_relay) << endpoint.verdict_reason;
  EXPECT_EQ(endpoint.starttls_policy, "required");
  int plain = 0;
  for (const TestResult& test : endpoint.tests) {
    if (test.over_tls) continue;
    ++plain;
    EXPECT_EQ(test.outcome, Outcome::blocked) << test.id;
    EXPECT_EQ(test.stage, Stage::mail) << test.id;
    EXPECT_EQ(test.refusal, "tls-required") << test.id;
  }
  EXPECT_EQ(plain, static_cast<int>(kPlaintextBaseline.size()));
}

TEST(TlsPaths, ARefusedStarttlsRunsThePlanOnceInPlaintextWithNoDuplicates) {
  const LabAuditRun run = audit(LabProfile::starttls_broken, TlsPaths::both);
  const EndpointResult& endpoint = only_endpoint(run);
  EXPECT_EQ(endpoint.verdict, EndpointVerdict::closed) << endpoint.verdict_reason;
  const PathCounts counts = count_paths(endpoint);
  EXPECT_TRUE(counts.tls.empty());
  EXPECT_EQ(counts.plain.size(), testing::core_scripts().size());
  for (const auto& [id, runs] : counts.plain) EXPECT_EQ(runs, 1) << id;
  // The 454 is learned once: later connections do not ask for STARTTLS again.
  int starttls_sent = 0;
  for (const auto& line : endpoint.transcript) {
    starttls_sent += line.direction == Direction::client && line.line == "STARTTLS" ? 1 : 0;
  }
  EXPECT_EQ(starttls_sent, 1);
}

TEST(TlsPaths, AServerWithoutStarttlsRunsThePlanOnceInPlaintext) {
  const LabAuditRun run = audit(LabProfile::closed, TlsPaths::both);
  const EndpointResult& endpoint = only_endpoint(run);
  EXPECT_EQ(endpoint.verdict, EndpointVerdict::closed);
  EXPECT_EQ(endpoint.starttls_policy, "absent");
  EXPECT_EQ(endpoint.tests.size(), testing::core_scripts().size());
}

TEST(TlsPaths, CombiningPathVerdicts) {
  using V = EndpointVerdict;
  EXPECT_EQ(combine_paths(V::closed, V::open_relay), V::open_relay);
  EXPECT_EQ(combine_paths(V::open_relay, V::inconclusive), V::open_relay);
  EXPECT_EQ(combine_paths(V::closed, V::closed), V::closed);
  EXPECT_EQ(combine_paths(V::closed, V::inconclusive), V::inconclusive);
  EXPECT_EQ(combine_paths(V::closed, V::unreachable), V::inconclusive);
  EXPECT_EQ(combine_paths(V::unreachable, V::unreachable), V::unreachable);
}

}  // namespace
}  // namespace relayaudit
