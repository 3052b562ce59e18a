// A port silent after connecting is tried once with TLS from the first byte: an implicit-TLS
// port written without smtps:// is audited inside TLS, a slow plaintext greeter still in plaintext.
#include <gtest/gtest.h>

#include <string>

#include "support/lab_audit.hpp"

namespace relayaudit {
namespace {

using testing::fast_audit_options;
using testing::LabAuditRun;
using testing::only_endpoint;
using testing::run_lab_audit;

LabAuditRun audit_plain_target(LabProfile profile, LabOptions lab_options = {}) {
  AuditOptions options = fast_audit_options();
  options.session.tls_context = &testing::tls_client_context();
  options.session.timeouts.silence = Millis(300);
  // "{0}": the gateway's address and port, with no scheme, the way a user may write port 465.
  LabAuditRun run = run_lab_audit({LabGatewayConfig{profile, "127.0.0.1", 0}}, options, lab_options,
                                  {"{0}"}, 64, testing::core_scripts());
  EXPECT_TRUE(run.loop_closed_cleanly) << "a libuv handle leaked";
  return run;
}

bool has_line_starting(const EndpointResult& endpoint, const std::string& start) {
  for (const auto& line : endpoint.transcript) {
    if (line.line.rfind(start, 0) == 0) return true;
  }
  return false;
}

TEST(TlsDetect, AnImplicitTlsPortWrittenWithoutTheSchemeIsAuditedInsideTls) {
  const LabAuditRun run = audit_plain_target(LabProfile::smtps);
  const EndpointResult& endpoint = only_endpoint(run);
  EXPECT_EQ(endpoint.verdict, EndpointVerdict::open_relay) << endpoint.verdict_reason;
  EXPECT_TRUE(endpoint.tls_detected);
  EXPECT_TRUE(endpoint.implicit_tls);
  EXPECT_EQ(endpoint.starttls_policy, "implicit");
  ASSERT_TRUE(endpoint.tls.has_value());
  for (const TestResult& test : endpoint.tests) EXPECT_TRUE(test.over_tls) << test.id;
  // One silent plaintext connection, then every connection speaks TLS first.
  EXPECT_EQ(run.stats.tls_sessions, static_cast<std::uint64_t>(endpoint.connections - 1));
  EXPECT_TRUE(has_line_starting(endpoint, "io-timeout: not one byte within 300ms"));
}

TEST(TlsDetect, ASlowPlaintextGreeterIsStillAuditedInPlaintext) {
  LabOptions lab;
  lab.tarpit_banner_delay = Millis(800);  // longer than the 300 ms of silence, within the 3 s wait
  const LabAuditRun run = audit_plain_target(LabProfile::greet_pause, lab);
  const EndpointResult& endpoint = only_endpoint(run);
  EXPECT_EQ(endpoint.verdict, EndpointVerdict::closed) << endpoint.verdict_reason;
  EXPECT_FALSE(endpoint.tls_detected);
  EXPECT_FALSE(endpoint.implicit_tls);
  EXPECT_EQ(run.stats.tls_sessions, 0u);
  EXPECT_TRUE(has_line_starting(endpoint, "TLS handshake (implicit TLS)"))
      << "the silent port was tried with TLS once";
  EXPECT_EQ(run.stats.pregreet_violations, 1u) << "only the TLS try talked first";
  for (const TestResult& test : endpoint.tests) EXPECT_FALSE(test.over_tls) << test.id;
}

TEST(TlsDetect, ABannerWithinTheSilenceTimeIsNeverTriedWithTls) {
  const LabAuditRun run = audit_plain_target(LabProfile::closed);
  const EndpointResult& endpoint = only_endpoint(run);
  EXPECT_EQ(endpoint.verdict, EndpointVerdict::closed);
  EXPECT_FALSE(has_line_starting(endpoint, "TLS handshake"));
  EXPECT_FALSE(endpoint.tls_detected);
}

TEST(TlsDetect, AServerThatNeverSpeaksIsUnreachableAndNotTls) {
  const LabAuditRun run = audit_plain_target(LabProfile::silent);
  const EndpointResult& endpoint = only_endpoint(run);
  EXPECT_EQ(endpoint.verdict, EndpointVerdict::unreachable) << endpoint.verdict_reason;
  EXPECT_FALSE(endpoint.tls_detected);
  EXPECT_FALSE(endpoint.implicit_tls);
  EXPECT_TRUE(has_line_starting(endpoint, "TLS handshake (implicit TLS)"));
}

}  // namespace
}  // namespace relayaudit
