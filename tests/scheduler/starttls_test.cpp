// STARTTLS against the lab's real TLS gateways: the plan runs inside TLS when it is offered, a
// refused STARTTLS leaves it in plaintext, and plaintext after the 220 is never read as a reply.
#include <gtest/gtest.h>

#include <string>

#include "support/lab_audit.hpp"

namespace relayaudit {
namespace {

using testing::fast_audit_options;
using testing::LabAuditRun;
using testing::only_endpoint;
using testing::run_lab_audit;

LabAuditRun audit_with_tls(LabProfile profile, bool tls = true) {
  AuditOptions options = fast_audit_options();
  options.session.tls_context = tls ? &testing::tls_client_context() : nullptr;
  LabAuditRun run = run_lab_audit({LabGatewayConfig{profile, "127.0.0.1", 0}}, options, {}, {}, 64,
                                  testing::core_scripts());
  EXPECT_TRUE(run.loop_closed_cleanly) << "a libuv handle leaked";
  EXPECT_EQ(run.stats.data_commands, 0u);
  return run;
}

TEST(Starttls, ARelayOpenOnlyInsideTlsIsFoundThere) {
  const LabAuditRun run = audit_with_tls(LabProfile::starttls_required);
  const EndpointResult& endpoint = only_endpoint(run);
  EXPECT_EQ(endpoint.verdict, EndpointVerdict::open_relay) << endpoint.verdict_reason;
  EXPECT_NE(endpoint.verdict_reason.find("(inside TLS)"), std::string::npos)
      << endpoint.verdict_reason;
  std::size_t inside_tls = 0;
  for (const TestResult& test : endpoint.tests) {
    // The plaintext re-runs of the baseline (tls_paths_test.cpp) meet the 530 instead.
    if (!test.over_tls) continue;
    ++inside_tls;
    if (test.kind == ScriptKind::relay) {
      EXPECT_EQ(test.outcome, Outcome::accepted) << test.id;
    }
  }
  EXPECT_EQ(inside_tls, testing::core_scripts().size());
  EXPECT_TRUE(endpoint.starttls_offered);
  ASSERT_TRUE(endpoint.tls.has_value());
  EXPECT_EQ(endpoint.tls->protocol, "TLSv1.3");
  ASSERT_EQ(endpoint.tls->chain.size(), 1u);
  EXPECT_EQ(endpoint.tls->chain[0].subject, "CN=lab.relayaudit.test");
  EXPECT_FALSE(endpoint.tls->chain_trusted) << "the lab's certificate is self-signed";
  EXPECT_EQ(endpoint.tls_error, "");
  // RFC 3207 §4.2: EHLO again inside TLS, and the transcript says when TLS began.
  int ehlos = 0;
  int established = 0;
  for (const auto& line : endpoint.transcript) {
    ehlos += line.direction == Direction::client && line.line.rfind("EHLO ", 0) == 0 ? 1 : 0;
    established += line.line.rfind("TLS established: TLSv1.3 ", 0) == 0 ? 1 : 0;
  }
  EXPECT_EQ(static_cast<std::uint64_t>(established), run.stats.tls_sessions);
  EXPECT_GT(established, 0);
  // Two EHLOs on a TLS connection, one on a plaintext re-run's.
  EXPECT_EQ(ehlos, established + endpoint.connections);
}

TEST(Starttls, WithoutTlsTheSameServerBlocksEveryTestAtMail) {
  const LabAuditRun run = audit_with_tls(LabProfile::starttls_required, false);
  const EndpointResult& endpoint = only_endpoint(run);
  EXPECT_EQ(endpoint.verdict, EndpointVerdict::inconclusive) << endpoint.verdict_reason;
  EXPECT_TRUE(endpoint.starttls_offered);
  EXPECT_FALSE(endpoint.tls.has_value());
  for (const TestResult& test : endpoint.tests) EXPECT_FALSE(test.over_tls) << test.id;
}

TEST(Starttls, AClosedGatewayIsClosedInsideTls) {
  const LabAuditRun run = audit_with_tls(LabProfile::starttls_offered);
  const EndpointResult& endpoint = only_endpoint(run);
  EXPECT_EQ(endpoint.verdict, EndpointVerdict::closed) << endpoint.verdict_reason;
  int inside_tls = 0;
  for (const TestResult& test : endpoint.tests) inside_tls += test.over_tls ? 1 : 0;
  EXPECT_EQ(static_cast<std::size_t>(inside_tls), testing::core_scripts().size());
}

TEST(Starttls, ARefusedStarttlsLeavesThePlanInPlaintextAndIsRecorded) {
  const LabAuditRun run = audit_with_tls(LabProfile::starttls_broken);
  const EndpointResult& endpoint = only_endpoint(run);
  EXPECT_EQ(endpoint.verdict, EndpointVerdict::closed) << endpoint.verdict_reason;
  EXPECT_TRUE(endpoint.starttls_offered);
  EXPECT_FALSE(endpoint.tls.has_value());
  EXPECT_EQ(endpoint.tls_error.rfind("STARTTLS refused: 454 4.7.0", 0), 0u) << endpoint.tls_error;
  for (const TestResult& test : endpoint.tests) EXPECT_FALSE(test.over_tls) << test.id;
}

TEST(Starttls, AServerWithoutStarttlsIsAuditedInPlaintext) {
  const LabAuditRun run = audit_with_tls(LabProfile::closed);
  const EndpointResult& endpoint = only_endpoint(run);
  EXPECT_EQ(endpoint.verdict, EndpointVerdict::closed);
  EXPECT_FALSE(endpoint.starttls_offered);
  EXPECT_EQ(run.stats.tls_sessions, 0u);
  for (const TestResult& test : endpoint.tests) EXPECT_FALSE(test.over_tls) << test.id;
}

TEST(Starttls, PlaintextAfterThe220IsDiscardedNeverReadInsideTls) {
  const LabAuditRun run = audit_with_tls(LabProfile::starttls_extra_reply);
  const EndpointResult& endpoint = only_endpoint(run);
  EXPECT_EQ(endpoint.verdict, EndpointVerdict::closed) << endpoint.verdict_reason;
  EXPECT_EQ(endpoint.bytes_after_starttls,
            run.stats.tls_sessions * std::string("250 2.0.0 Ok\r\n").size());
  for (const TestResult& test : endpoint.tests) {
    EXPECT_EQ(test.status, Status::ok) << test.id << ": " << test.detail;
  }
}

}  // namespace
}  // namespace relayaudit

namespace relayaudit {
namespace {

// Every connection after the first resumes the TLS session the one before it got.
void expect_resumed_after_the_first(const testing::LabAuditRun& run) {
  const EndpointResult& endpoint = testing::only_endpoint(run);
  ASSERT_GE(endpoint.tls_handshakes, 2) << "the plan needs more than one TLS connection";
  EXPECT_EQ(static_cast<std::uint64_t>(endpoint.tls_handshakes), run.stats.tls_sessions);
  EXPECT_EQ(endpoint.tls_resumed, endpoint.tls_handshakes - 1);
  int noted = 0;
  for (const auto& line : endpoint.transcript) {
    noted += line.line.find("(session resumed)") != std::string::npos ? 1 : 0;
  }
  EXPECT_EQ(noted, endpoint.tls_resumed);
}

TEST(TlsResumption, StarttlsReconnectsResumeTheSession) {
  AuditOptions options = testing::fast_audit_options();
  options.session.tls_context = &testing::tls_client_context();
  options.tests_per_connection = 2;
  expect_resumed_after_the_first(
      testing::run_lab_audit({LabGatewayConfig{LabProfile::starttls_offered, "127.0.0.1", 0}},
                             options, {}, {}, 64, testing::core_scripts()));
}

TEST(TlsResumption, ImplicitTlsReconnectsResumeTheSession) {
  AuditOptions options = testing::fast_audit_options();
  options.session.tls_context = &testing::tls_client_context();
  options.tests_per_connection = 2;
  expect_resumed_after_the_first(
      testing::run_lab_audit({LabGatewayConfig{LabProfile::smtps, "127.0.0.1", 0}}, options, {},
                             {"smtps://{0}"}, 64, testing::core_scripts()));
}

}  // namespace
}  // namespace relayaudit
