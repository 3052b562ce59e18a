// Implicit TLS (smtps://, port 465) against the lab over loopback: the relay is found inside
// TLS, and a peer that does not speak TLS, or stalls in the handshake, ends with a TLS status.
#include <gtest/gtest.h>

#include <string>

#include "support/lab_audit.hpp"

namespace relayaudit {
namespace {

using testing::fast_audit_options;
using testing::LabAuditRun;
using testing::only_endpoint;
using testing::run_lab_audit;

// TLS on, with a 300 ms handshake timeout: the stalling peer's test ends soon.
AuditOptions fast_tls_options() {
  AuditOptions options = fast_audit_options();
  options.session.tls_context = &testing::tls_client_context();
  options.session.timeouts.tls = Millis{300};
  return options;
}

TEST(ImplicitTls, AnSmtpsRelayIsFoundInsideTls) {
  const LabAuditRun run = run_lab_audit({LabGatewayConfig{LabProfile::smtps, "127.0.0.1", 0}},
                                        fast_tls_options(), {}, {}, 64, testing::core_scripts());
  ASSERT_TRUE(run.loop_closed_cleanly);
  const EndpointResult& endpoint = only_endpoint(run);
  EXPECT_EQ(endpoint.verdict, EndpointVerdict::open_relay) << endpoint.verdict_reason;
  EXPECT_TRUE(endpoint.implicit_tls);
  ASSERT_TRUE(endpoint.tls.has_value());
  EXPECT_EQ(endpoint.tls->protocol, "TLSv1.3");
  EXPECT_EQ(run.stats.tls_sessions, static_cast<std::uint64_t>(endpoint.connections));
  EXPECT_EQ(run.stats.pregreet_violations, 0u) << "the ClientHello is no pregreet";
  for (const TestResult& test : endpoint.tests) EXPECT_TRUE(test.over_tls) << test.id;
  ASSERT_TRUE(endpoint.greeting.has_value());
  EXPECT_EQ(endpoint.greeting->banner.code, 220) << "the banner came inside TLS";
}

LabAuditRun audit_as_smtps(LabProfile profile) {
  LabAuditRun run = run_lab_audit({LabGatewayConfig{profile, "127.0.0.1", 0}}, fast_tls_options(),
                                  {}, {"smtps://{0}"}, 64, testing::core_scripts());
  EXPECT_TRUE(run.loop_closed_cleanly) << "a libuv handle leaked";
  return run;
}

// A plaintext SMTP server written as smtps://: its banner is no ServerHello.
TEST(ImplicitTls, APlaintextServerScannedAsSmtpsIsATlsHandshakeFailure) {
  const LabAuditRun run = audit_as_smtps(LabProfile::closed);
  const EndpointResult& endpoint = only_endpoint(run);
  EXPECT_EQ(endpoint.verdict, EndpointVerdict::unreachable) << endpoint.verdict_reason;
  EXPECT_EQ(endpoint.status, Status::tls_handshake_failed);
  EXPECT_NE(endpoint.tls_error.find("wrong version number"), std::string::npos)
      << endpoint.tls_error;
  EXPECT_LE(endpoint.connections, fast_audit_options().max_attempts);
  for (const TestResult& test : endpoint.tests) {
    EXPECT_EQ(test.status, Status::tls_handshake_failed) << test.id;
    EXPECT_EQ(test.stage, Stage::tls) << test.id;
  }
}

// A peer that takes the connection and never answers the ClientHello.
TEST(ImplicitTls, AStalledHandshakeIsATlsTimeout) {
  const LabAuditRun run = audit_as_smtps(LabProfile::silent);
  const EndpointResult& endpoint = only_endpoint(run);
  EXPECT_EQ(endpoint.verdict, EndpointVerdict::unreachable) << endpoint.verdict_reason;
  EXPECT_EQ(endpoint.status, Status::tls_timeout);
  for (const TestResult& test : endpoint.tests) EXPECT_EQ(test.status, Status::tls_timeout);
}

// A server that closes the connection in the middle of the handshake.
TEST(ImplicitTls, AConnectionClosedMidHandshakeIsAHandshakeFailure) {
  const LabAuditRun run = audit_as_smtps(LabProfile::truncated_close);
  const EndpointResult& endpoint = only_endpoint(run);
  EXPECT_EQ(endpoint.verdict, EndpointVerdict::unreachable) << endpoint.verdict_reason;
  EXPECT_EQ(endpoint.status, Status::tls_handshake_failed);
}

}  // namespace
}  // namespace relayaudit
