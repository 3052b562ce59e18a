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

LabAuditRun audit(LabProfile profile, bool tls = true) {
  AuditOptions options = fast_audit_options();
  options.session.tls_context = tls ? &testing::tls_client_context() : nullptr;
  LabAuditRun run = run_lab_audit({LabGatewayConfig{profile, "127.0.0.1", 0}}, options, {}, {}, 64,
                                  testing::core_scripts());
  EXPECT_TRUE(run.loop_closed_cleanly) << "a libuv handle leaked";
  EXPECT_EQ(run.stats.data_commands, 0u);
  return run;
}

TEST(Starttls, ARelayOpenOnlyInsideTlsIsFoundThere) {
  const LabAuditRun run = audit(LabProfile::starttls_required);
  const EndpointResult& endpoint = only_endpoint(run);
  EXPECT_EQ(endpoint.verdict, EndpointVerdict::open_relay) << endpoint.verdict_reason;
  EXPECT_NE(endpoint.verdict_reason.find("(inside TLS)"), std::string::npos)
      << endpoint.verdict_reason;
  for (const TestResult& test : endpoint.tests) {
    EXPECT_TRUE(test.over_tls) << test.id;
    if (test.kind == ScriptKind::relay) {
      EXPECT_EQ(test.outcome, Outcome::accepted) << test.id;
    }
  }
  EXPECT_TRUE(endpoint.starttls_offered);
  EXPECT_EQ(run.stats.tls_sessions, static_cast<std::uint64_t>(endpoint.connections));
  ASSERT_TRUE(endpoint.tls.has_value());
  EXPECT_EQ(endpoint.tls->protocol, "TLSv1.3");
  ASSERT_EQ(endpoint.tls->chain.size(), 1u);
  EXPECT_EQ(endpoint.tls->chain[0].subject, "CN=lab.relayaudit.test");
  EXPECT_FALSE(endpoint.tls->chain_trusted) << "the lab's certificate is self-signed";
  EXPECT_EQ(endpoint.tls_error, "");
  // RFC 3207 §4.2: EHLO again inside TLS, and the transcript says when TLS began.
  int ehlos = 0;
  bool established = false;
  for (const auto& line : endpoint.transcript) {
    ehlos += line.direction == Direction::client && line.line.rfind("EHLO ", 0) == 0 ? 1 : 0;
    established = established || line.line.rfind("TLS established: TLSv1.3 ", 0) == 0;
  }
  EXPECT_EQ(ehlos, 2 * endpoint.connections);
  EXPECT_TRUE(established);
}

TEST(Starttls, WithoutTlsTheSameServerBlocksEveryTestAtMail) {
  const LabAuditRun run = audit(LabProfile::starttls_required, false);
  const EndpointResult& endpoint = only_endpoint(run);
  EXPECT_EQ(endpoint.verdict, EndpointVerdict::inconclusive) << endpoint.verdict_reason;
  EXPECT_TRUE(endpoint.starttls_offered);
  EXPECT_FALSE(endpoint.tls.has_value());
  for (const TestResult& test : endpoint.tests) EXPECT_FALSE(test.over_tls) << test.id;
}

TEST(Starttls, AClosedGatewayIsClosedInsideTls) {
  const LabAuditRun run = audit(LabProfile::starttls_offered);
  const EndpointResult& endpoint = only_endpoint(run);
  EXPECT_EQ(endpoint.verdict, EndpointVerdict::closed) << endpoint.verdict_reason;
  for (const TestResult& test : endpoint.tests) EXPECT_TRUE(test.over_tls) << test.id;
}

TEST(Starttls, ARefusedStarttlsLeavesThePlanInPlaintextAndIsRecorded) {
  const LabAuditRun run = audit(LabProfile::starttls_broken);
  const EndpointResult& endpoint = only_endpoint(run);
  EXPECT_EQ(endpoint.verdict, EndpointVerdict::closed) << endpoint.verdict_reason;
  EXPECT_TRUE(endpoint.starttls_offered);
  EXPECT_FALSE(endpoint.tls.has_value());
  EXPECT_EQ(endpoint.tls_error.rfind("STARTTLS refused: 454 4.7.0", 0), 0u) << endpoint.tls_error;
  for (const TestResult& test : endpoint.tests) EXPECT_FALSE(test.over_tls) << test.id;
}

TEST(Starttls, AServerWithoutStarttlsIsAuditedInPlaintext) {
  const LabAuditRun run = audit(LabProfile::closed);
  const EndpointResult& endpoint = only_endpoint(run);
  EXPECT_EQ(endpoint.verdict, EndpointVerdict::closed);
  EXPECT_FALSE(endpoint.starttls_offered);
  EXPECT_EQ(run.stats.tls_sessions, 0u);
  for (const TestResult& test : endpoint.tests) EXPECT_FALSE(test.over_tls) << test.id;
}

TEST(Starttls, PlaintextAfterThe220IsDiscardedNeverReadInsideTls) {
  const LabAuditRun run = audit(LabProfile::starttls_extra_reply);
  const EndpointResult& endpoint = only_endpoint(run);
  EXPECT_EQ(endpoint.verdict, EndpointVerdict::closed) << endpoint.verdict_reason;
  EXPECT_EQ(endpoint.bytes_after_starttls, static_cast<std::size_t>(endpoint.connections) *
                                               std::string("250 2.0.0 Ok\r\n").size());
  for (const TestResult& test : endpoint.tests) {
    EXPECT_TRUE(test.over_tls) << test.id;
    EXPECT_EQ(test.status, Status::ok) << test.id << ": " << test.detail;
  }
}

}  // namespace
}  // namespace relayaudit
