// --tls-probe against the lab's real TLS gateways: legacy versions and the STARTTLS injection
// are found as facts on extra connections, and never change a verdict.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/lab_audit.hpp"

namespace relayaudit {
namespace {

using testing::fast_audit_options;
using testing::LabAuditRun;
using testing::only_endpoint;
using testing::run_lab_audit;

AuditOptions probe_options(bool versions, bool injection) {
  AuditOptions options = fast_audit_options();
  options.session.tls_context = &testing::tls_client_context();
  options.session.timeouts.tls = Millis{2000};
  options.session.timeouts.reply = Millis{1000};  // also the wait for an injected reply
  options.tls_probe_versions = versions;
  options.tls_probe_injection = injection;
  return options;
}

// The plan's connections that reached TLS (--tls auto re-runs the baseline in plaintext too).
std::uint64_t tls_connections(const EndpointResult& endpoint) {
  std::uint64_t count = 0;
  for (const auto& line : endpoint.transcript) {
    count += line.line.rfind("TLS established: ", 0) == 0 ? 1 : 0;
  }
  return count;
}

LabAuditRun audit(LabProfile profile, const AuditOptions& options, bool implicit = false) {
  LabAuditRun run = run_lab_audit({LabGatewayConfig{profile, "127.0.0.1", 0, implicit}}, options,
                                  {}, {}, 64, testing::core_scripts());
  EXPECT_TRUE(run.loop_closed_cleanly) << "a libuv handle leaked";
  EXPECT_EQ(run.stats.data_commands, 0u);
  return run;
}

TEST(TlsProbe, ALegacyServerAcceptsTlsV1AndTlsV11) {
  const LabAuditRun run = audit(LabProfile::tls_legacy, probe_options(true, false));
  const EndpointResult& endpoint = only_endpoint(run);
  EXPECT_EQ(endpoint.verdict, EndpointVerdict::closed) << endpoint.verdict_reason;
  ASSERT_TRUE(endpoint.tls_probes.has_value());
  const auto& versions = endpoint.tls_probes->versions;
  ASSERT_EQ(versions.size(), 2u);
  EXPECT_EQ(versions[0].version, "TLSv1");
  EXPECT_TRUE(versions[0].accepted) << versions[0].detail;
  EXPECT_EQ(versions[0].detail, "");
  EXPECT_EQ(versions[1].version, "TLSv1.1");
  EXPECT_TRUE(versions[1].accepted) << versions[1].detail;
  EXPECT_FALSE(endpoint.tls_probes->starttls_injection.has_value()) << "not asked";
  EXPECT_EQ(endpoint.tls_probes->injection_detail, "");
  // The plan's own sessions negotiate the best version; only the probes go lower.
  ASSERT_TRUE(endpoint.tls.has_value());
  EXPECT_EQ(endpoint.tls->protocol, "TLSv1.3");
  EXPECT_EQ(run.stats.connections, static_cast<std::uint64_t>(endpoint.connections) + 2);
  EXPECT_EQ(run.stats.tls_sessions, tls_connections(endpoint) + 2);
}

TEST(TlsProbe, ALegacyServerOverImplicitTlsAcceptsThemToo) {
  const LabAuditRun run = audit(LabProfile::tls_legacy, probe_options(true, true), true);
  const EndpointResult& endpoint = only_endpoint(run);
  EXPECT_TRUE(endpoint.implicit_tls);
  EXPECT_EQ(endpoint.verdict, EndpointVerdict::closed) << endpoint.verdict_reason;
  ASSERT_TRUE(endpoint.tls_probes.has_value());
  ASSERT_EQ(endpoint.tls_probes->versions.size(), 2u);
  for (const TlsVersionCheck& check : endpoint.tls_probes->versions) {
    EXPECT_TRUE(check.accepted) << check.version << ": " << check.detail;
  }
  EXPECT_FALSE(endpoint.tls_probes->starttls_injection.has_value());
  EXPECT_EQ(endpoint.tls_probes->injection_detail, "not applicable: implicit TLS has no STARTTLS");
}

TEST(TlsProbe, AModernServerRefusesBothWithOpenSslsReason) {
  const LabAuditRun run = audit(LabProfile::starttls_offered, probe_options(true, false));
  const EndpointResult& endpoint = only_endpoint(run);
  EXPECT_EQ(endpoint.verdict, EndpointVerdict::closed) << endpoint.verdict_reason;
  ASSERT_TRUE(endpoint.tls_probes.has_value());
  const auto& versions = endpoint.tls_probes->versions;
  ASSERT_EQ(versions.size(), 2u);
  EXPECT_EQ(versions[0].version, "TLSv1");
  EXPECT_EQ(versions[1].version, "TLSv1.1");
  for (const TlsVersionCheck& check : versions) {
    EXPECT_FALSE(check.accepted) << check.version;
    EXPECT_EQ(check.detail.rfind("TLS handshake failed: error:", 0), 0u) << check.detail;
    EXPECT_NE(check.detail.find("tlsv1 alert protocol version"), std::string::npos) << check.detail;
  }
  EXPECT_EQ(run.stats.tls_sessions, tls_connections(endpoint));
}

TEST(TlsProbe, AVulnerableServerAnswersTheInjectedNoopInsideTls) {
  const LabAuditRun run = audit(LabProfile::starttls_injection, probe_options(false, true));
  const EndpointResult& endpoint = only_endpoint(run);
  EXPECT_EQ(endpoint.verdict, EndpointVerdict::closed) << endpoint.verdict_reason;
  EXPECT_EQ(endpoint.bytes_after_starttls, 0u) << "our own sessions pipeline nothing after it";
  ASSERT_TRUE(endpoint.tls_probes.has_value());
  EXPECT_TRUE(endpoint.tls_probes->versions.empty()) << "not asked";
  ASSERT_TRUE(endpoint.tls_probes->starttls_injection.has_value());
  EXPECT_TRUE(*endpoint.tls_probes->starttls_injection);
  EXPECT_EQ(endpoint.tls_probes->injection_detail,
            "NOOP sent in plaintext with STARTTLS was answered inside TLS: \"250 2.0.0 Ok\"");
}

TEST(TlsProbe, AnHonestServerDropsTheInjectedNoop) {
  const LabAuditRun run = audit(LabProfile::starttls_offered, probe_options(false, true));
  const EndpointResult& endpoint = only_endpoint(run);
  ASSERT_TRUE(endpoint.tls_probes.has_value());
  ASSERT_TRUE(endpoint.tls_probes->starttls_injection.has_value());
  EXPECT_FALSE(*endpoint.tls_probes->starttls_injection);
  EXPECT_EQ(endpoint.tls_probes->injection_detail,
            "no reply inside TLS within 1s of the handshake");
}

// Its plaintext 250 after the 220 is discarded: not the injection (nothing came inside TLS).
TEST(TlsProbe, PlaintextAfterThe220IsNoInjection) {
  const LabAuditRun run = audit(LabProfile::starttls_extra_reply, probe_options(false, true));
  const EndpointResult& endpoint = only_endpoint(run);
  ASSERT_TRUE(endpoint.tls_probes.has_value());
  ASSERT_TRUE(endpoint.tls_probes->starttls_injection.has_value());
  EXPECT_FALSE(*endpoint.tls_probes->starttls_injection);
}

TEST(TlsProbe, NoProbesUnlessAsked) {
  const LabAuditRun run = audit(LabProfile::tls_legacy, probe_options(false, false));
  const EndpointResult& endpoint = only_endpoint(run);
  EXPECT_FALSE(endpoint.tls_probes.has_value());
  EXPECT_EQ(run.stats.connections, static_cast<std::uint64_t>(endpoint.connections));
}

TEST(TlsProbe, AnEndpointThatNeverReachedTlsIsNotProbed) {
  const LabAuditRun run = audit(LabProfile::closed, probe_options(true, true));
  const EndpointResult& endpoint = only_endpoint(run);
  EXPECT_EQ(endpoint.verdict, EndpointVerdict::closed);
  EXPECT_FALSE(endpoint.tls_probes.has_value());
  EXPECT_EQ(run.stats.connections, static_cast<std::uint64_t>(endpoint.connections));
}

// The relay found inside TLS is found the same with every probe on, test for test.
TEST(TlsProbe, ProbesNeverChangeTheVerdict) {
  const LabAuditRun plain = audit(LabProfile::starttls_required, probe_options(false, false));
  const LabAuditRun probed = audit(LabProfile::starttls_required, probe_options(true, true));
  const EndpointResult& before = only_endpoint(plain);
  const EndpointResult& after = only_endpoint(probed);
  EXPECT_EQ(before.verdict, EndpointVerdict::open_relay);
  EXPECT_EQ(after.verdict, before.verdict);
  EXPECT_EQ(after.verdict_reason, before.verdict_reason);
  EXPECT_EQ(after.connections, before.connections) << "probe connections are not plan sessions";
  ASSERT_EQ(after.tests.size(), before.tests.size());
  for (std::size_t i = 0; i < after.tests.size(); ++i) {
    EXPECT_EQ(after.tests[i].id, before.tests[i].id);
    EXPECT_EQ(after.tests[i].outcome, before.tests[i].outcome) << after.tests[i].id;
    EXPECT_EQ(after.tests[i].verdict, before.tests[i].verdict) << after.tests[i].id;
  }
  ASSERT_TRUE(after.tls_probes.has_value());
  EXPECT_EQ(after.tls_probes->versions.size(), 2u);
  ASSERT_TRUE(after.tls_probes->starttls_injection.has_value());
  EXPECT_FALSE(*after.tls_probes->starttls_injection);
  EXPECT_EQ(probed.stats.connections, static_cast<std::uint64_t>(after.connections) + 3);
}

// The probes wait for a connection slot like sessions do: one slot in all still finishes.
TEST(TlsProbe, ProbesTakeConnectionSlotsAndFinishWithOne) {
  AuditOptions options = probe_options(true, true);
  const LabAuditRun run = run_lab_audit({LabGatewayConfig{LabProfile::tls_legacy, "127.0.0.1", 0},
                                         LabGatewayConfig{LabProfile::starttls_injection}},
                                        options, {}, {}, 1, testing::core_scripts());
  ASSERT_TRUE(run.loop_closed_cleanly);
  ASSERT_EQ(run.result.endpoints.size(), 2u);
  for (const EndpointResult& endpoint : run.result.endpoints) {
    EXPECT_EQ(endpoint.verdict, EndpointVerdict::closed) << endpoint.endpoint.key();
    ASSERT_TRUE(endpoint.tls_probes.has_value()) << endpoint.endpoint.key();
    EXPECT_EQ(endpoint.tls_probes->versions.size(), 2u);
    EXPECT_TRUE(endpoint.tls_probes->starttls_injection.has_value());
  }
}

}  // namespace
}  // namespace relayaudit
