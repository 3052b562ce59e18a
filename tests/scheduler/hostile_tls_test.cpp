// Hostile TLS servers from the lab, through the whole scanner: each ends in a TLS status with
// OpenSSL's reason, the scan finishes, and no verdict is ever open-relay.
#include <gtest/gtest.h>

#include <string>

#include "support/lab_audit.hpp"

namespace relayaudit {
namespace {

using testing::fast_audit_options;
using testing::LabAuditRun;
using testing::only_endpoint;
using testing::run_lab_audit;

struct Hostile {
  LabProfile profile;
  Status status;
  std::string reason;  // part of OpenSSL's text (or ours) that names the failure
};

const Hostile kGarbage{LabProfile::tls_garbage, Status::tls_handshake_failed,
                       "TLS handshake failed: error:0A00010B:SSL routines::wrong version number"};
const Hostile kStall{LabProfile::tls_stall, Status::tls_timeout,
                     "no complete TLS handshake within the timeout"};
const Hostile kHugeChain{
    LabProfile::tls_huge_chain, Status::tls_handshake_failed,
    "TLS handshake failed: error:0A000098:SSL routines::excessive message size"};
const Hostile kRenegotiate{LabProfile::tls_renegotiate, Status::tls_protocol_error,
                           "TLS protocol error: error:0A000410:SSL routines::sslv3 alert "
                           "handshake failure"};
const Hostile kGarbageRecords{LabProfile::tls_garbage_records, Status::tls_protocol_error,
                              "TLS protocol error: error:0A000119:SSL routines::decryption failed "
                              "or bad record mac"};

// Short for the stall, which waits it out; generous for the rest, so a loaded machine (the
// 2.7 MB chain costs the lab tens of ms a connection, more under ASan) never turns a failure
// into a timeout.
AuditOptions tls_options_for(Status expected = Status::tls_handshake_failed) {
  AuditOptions options = fast_audit_options();
  options.session.tls_context = &testing::tls_client_context();
  options.session.timeouts.tls = expected == Status::tls_timeout ? Millis{300} : Millis{5000};
  return options;
}

LabAuditRun audit(const Hostile& hostile, bool implicit) {
  LabAuditRun run =
      run_lab_audit({LabGatewayConfig{hostile.profile, "127.0.0.1", 0, implicit}},
                    tls_options_for(hostile.status), {}, {}, 64, testing::core_scripts());
  EXPECT_TRUE(run.loop_closed_cleanly) << "a libuv handle leaked";
  EXPECT_EQ(run.stats.data_commands, 0u);
  return run;
}

// The note a session writes when it ends on a status: "<status>: <reason>".
bool has_note(const EndpointResult& endpoint, const std::string& line) {
  for (const auto& entry : endpoint.transcript) {
    if (entry.direction == Direction::note && entry.line == line) return true;
  }
  return false;
}

// STARTTLS: the first connection fails in TLS, is not tried again, and the plan runs in
// plaintext, where the closed gateway is proven closed.
void expect_starttls_falls_back(const Hostile& hostile) {
  SCOPED_TRACE(std::string(to_string(hostile.profile)));
  const LabAuditRun run = audit(hostile, false);
  const EndpointResult& endpoint = only_endpoint(run);
  EXPECT_EQ(endpoint.verdict, EndpointVerdict::closed) << endpoint.verdict_reason;
  EXPECT_TRUE(endpoint.starttls_offered);
  EXPECT_EQ(endpoint.tls_error, hostile.reason);
  EXPECT_TRUE(has_note(endpoint, std::string(to_string(hostile.status)) + ": " + hostile.reason))
      << "no '" << to_string(hostile.status) << "' note";
  for (const TestResult& test : endpoint.tests) {
    EXPECT_FALSE(test.over_tls) << test.id;
    EXPECT_EQ(test.status, Status::ok) << test.id << ": " << test.detail;
  }
}

// Implicit TLS: there is no plaintext to fall back to; every connection ends in the status.
EndpointResult expect_implicit_fails(const Hostile& hostile) {
  SCOPED_TRACE(std::string(to_string(hostile.profile)));
  const LabAuditRun run = audit(hostile, true);
  const EndpointResult& endpoint = only_endpoint(run);
  EXPECT_TRUE(endpoint.implicit_tls);
  EXPECT_NE(endpoint.verdict, EndpointVerdict::open_relay);
  EXPECT_EQ(endpoint.status, hostile.status) << endpoint.error;
  EXPECT_EQ(endpoint.error, hostile.reason);
  EXPECT_LE(endpoint.connections, fast_audit_options().max_attempts);
  for (const TestResult& test : endpoint.tests) {
    EXPECT_EQ(test.outcome, Outcome::error) << test.id;
    EXPECT_EQ(test.status, hostile.status) << test.id;
  }
  return endpoint;
}

TEST(HostileTls, GarbageForAServerHelloIsAHandshakeFailure) {
  expect_starttls_falls_back(kGarbage);
  EXPECT_EQ(expect_implicit_fails(kGarbage).verdict, EndpointVerdict::unreachable);
}

TEST(HostileTls, AStalledHandshakeIsATlsTimeout) {
  expect_starttls_falls_back(kStall);
  EXPECT_EQ(expect_implicit_fails(kStall).verdict, EndpointVerdict::unreachable);
}

// OpenSSL's client takes a Certificate message of at most 100 KiB (max_cert_list): the 2.7 MB
// chain is refused from its header, before it is buffered.
TEST(HostileTls, AHugeCertificateChainIsRefusedCleanly) {
  expect_starttls_falls_back(kHugeChain);
  EXPECT_EQ(expect_implicit_fails(kHugeChain).verdict, EndpointVerdict::unreachable);
}

// Our client refuses renegotiation (SSL_OP_NO_RENEGOTIATION: a no_renegotiation alert); the
// server then aborts with handshake_failure, which ends the session as a TLS protocol error.
TEST(HostileTls, ARenegotiationRequestIsRefusedAndEndsTheSession) {
  expect_starttls_falls_back(kRenegotiate);
  const EndpointResult implicit = expect_implicit_fails(kRenegotiate);
  EXPECT_EQ(implicit.verdict, EndpointVerdict::inconclusive) << "the banner came, then the abort";
  ASSERT_TRUE(implicit.tls.has_value());
  EXPECT_EQ(implicit.tls->protocol, "TLSv1.2");
}

TEST(HostileTls, GarbageRecordsAfterTheHandshakeAreATlsProtocolError) {
  expect_starttls_falls_back(kGarbageRecords);
  EXPECT_EQ(expect_implicit_fails(kGarbageRecords).verdict, EndpointVerdict::unreachable);
}

// The probes meet the same servers: each records why it could not check, and finishes.
TEST(HostileTls, ProbesOnHostileServersFinishWithTheirReasons) {
  AuditOptions options = tls_options_for();
  options.tls_probe_versions = true;
  options.tls_probe_injection = true;
  options.session.timeouts.reply = Millis{500};
  const LabAuditRun run =
      run_lab_audit({LabGatewayConfig{LabProfile::tls_garbage_records, "127.0.0.1", 0, true},
                     LabGatewayConfig{LabProfile::tls_renegotiate, "127.0.0.1", 0, false}},
                    options, {}, {}, 64, testing::core_scripts());
  ASSERT_TRUE(run.loop_closed_cleanly);
  ASSERT_EQ(run.result.endpoints.size(), 2u);
  for (const EndpointResult& endpoint : run.result.endpoints) {
    EXPECT_NE(endpoint.verdict, EndpointVerdict::open_relay) << endpoint.endpoint.key();
    ASSERT_TRUE(endpoint.tls_probes.has_value()) << endpoint.endpoint.key();
    ASSERT_EQ(endpoint.tls_probes->versions.size(), 2u);
    for (const TlsVersionCheck& check : endpoint.tls_probes->versions) {
      EXPECT_FALSE(check.accepted) << check.version;
      EXPECT_NE(check.detail.find("alert protocol version"), std::string::npos) << check.detail;
    }
  }
}

}  // namespace
}  // namespace relayaudit
