// TLS findings from real lab scans (certificates made by the lab, STARTTLS over loopback), and the
// rules that need facts a loopback lab cannot give (port 25, probes) on constructed results.
#include "scheduler/tls_findings.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "results/tls_finding_catalog.hpp"
#include "support/lab_audit.hpp"

namespace relayaudit {
namespace {

using testing::fast_audit_options;
using testing::LabAuditRun;
using testing::run_lab_audit;

const Finding* finding_named(const EndpointResult& endpoint, const std::string& id) {
  for (const auto& finding : endpoint.findings) {
    if (finding.id == id) return &finding;
  }
  return nullptr;
}

std::string ids_of(const EndpointResult& endpoint) {
  std::string out;
  for (const auto& finding : endpoint.findings) out += finding.id + " ";
  return out;
}

// `as_localhost`: scanned as localhost:PORT, so the certificate's names are checked.
LabAuditRun audit(LabProfile profile, bool as_localhost = false) {
  AuditOptions options = fast_audit_options();
  options.session.tls_context = &testing::tls_client_context();
  const std::vector<std::string> extra =
      as_localhost ? std::vector<std::string>{"localhost:{0.port}"} : std::vector<std::string>{};
  LabAuditRun run = run_lab_audit({LabGatewayConfig{profile, "127.0.0.1", 0}}, options, {}, extra,
                                  64, testing::core_scripts());
  EXPECT_TRUE(run.loop_closed_cleanly) << "a libuv handle leaked";
  return run;
}

// The lab listens on 127.0.0.1; localhost may also resolve to ::1, where nothing listens.
const EndpointResult& lab_endpoint(const LabAuditRun& run) {
  for (const auto& endpoint : run.result.endpoints) {
    if (endpoint.endpoint.address == "127.0.0.1") return endpoint;
  }
  throw std::runtime_error("no endpoint at 127.0.0.1");
}

TEST(TlsFindings, AnExpiredCertificateIsAFindingAndTheGatewayStaysClosed) {
  const LabAuditRun run = audit(LabProfile::expired_cert);
  const EndpointResult& endpoint = lab_endpoint(run);
  EXPECT_EQ(endpoint.verdict, EndpointVerdict::closed) << endpoint.verdict_reason;
  ASSERT_TRUE(endpoint.tls.has_value());
  ASSERT_EQ(endpoint.tls->chain.size(), 1u);
  EXPECT_EQ(endpoint.tls->chain[0].days_left, -1);
  const Finding* expired = finding_named(endpoint, kFindingTlsExpired);
  ASSERT_NE(expired, nullptr) << ids_of(endpoint);
  EXPECT_EQ(expired->severity, "medium");
  EXPECT_NE(expired->message.find("expired on " + endpoint.tls->chain[0].not_after),
            std::string::npos)
      << expired->message;
  EXPECT_NE(expired->message.find("(1 days ago)"), std::string::npos) << expired->message;
  // Reached by address: no name to check, so no mismatch is claimed.
  EXPECT_FALSE(endpoint.tls->host_matches.has_value());
  EXPECT_EQ(finding_named(endpoint, kFindingTlsHostMismatch), nullptr) << ids_of(endpoint);
  EXPECT_EQ(finding_named(endpoint, kFindingTlsNotYetValid), nullptr) << ids_of(endpoint);
}

TEST(TlsFindings, ACertificateForAnotherHostIsAMismatchWhenScannedByName) {
  // (Its verdict is not asserted: the lab refuses postmaster@localhost, so closed is unproven.)
  const LabAuditRun run = audit(LabProfile::wrong_host_cert, true);
  const EndpointResult& endpoint = lab_endpoint(run);
  ASSERT_TRUE(endpoint.tls.has_value());
  EXPECT_EQ(endpoint.tls->checked_host, "localhost");
  const Finding* mismatch = finding_named(endpoint, kFindingTlsHostMismatch);
  ASSERT_NE(mismatch, nullptr) << ids_of(endpoint);
  EXPECT_NE(mismatch->message.find("DNS:mx.other.invalid"), std::string::npos) << mismatch->message;
  EXPECT_NE(mismatch->message.find("not localhost"), std::string::npos) << mismatch->message;
  EXPECT_EQ(finding_named(endpoint, kFindingTlsExpired), nullptr) << ids_of(endpoint);
}

TEST(TlsFindings, ACertificateForAnotherHostIsNoMismatchWhenScannedByAddress) {
  const LabAuditRun run = audit(LabProfile::wrong_host_cert);
  const EndpointResult& endpoint = lab_endpoint(run);
  ASSERT_TRUE(endpoint.tls.has_value());
  EXPECT_EQ(endpoint.tls->checked_host, "");
  EXPECT_EQ(finding_named(endpoint, kFindingTlsHostMismatch), nullptr) << ids_of(endpoint);
}

TEST(TlsFindings, TheSharedLabCertificateMatchesLocalhostAndIsSelfSigned) {
  const LabAuditRun run = audit(LabProfile::starttls_offered, true);
  const EndpointResult& endpoint = lab_endpoint(run);
  ASSERT_TRUE(endpoint.tls.has_value());
  EXPECT_EQ(endpoint.tls->host_matches, true);
  EXPECT_EQ(finding_named(endpoint, kFindingTlsHostMismatch), nullptr) << ids_of(endpoint);
  const Finding* self_signed = finding_named(endpoint, kFindingTlsSelfSigned);
  ASSERT_NE(self_signed, nullptr) << ids_of(endpoint);
  EXPECT_EQ(self_signed->severity, "low");
  ASSERT_FALSE(endpoint.tls->verify_error.empty());
  EXPECT_NE(self_signed->message.find("OpenSSL: " + endpoint.tls->verify_error), std::string::npos)
      << self_signed->message;
  // One finding for one cause: the self-signed one says why the chain is untrusted.
  EXPECT_EQ(finding_named(endpoint, kFindingTlsUntrusted), nullptr) << ids_of(endpoint);
}

TEST(TlsFindings, ARefusedStarttlsSaysWhy) {
  const LabAuditRun run = audit(LabProfile::starttls_broken);
  const EndpointResult& endpoint = lab_endpoint(run);
  EXPECT_EQ(endpoint.verdict, EndpointVerdict::closed) << endpoint.verdict_reason;
  const Finding* failed = finding_named(endpoint, kFindingStarttlsFailed);
  ASSERT_NE(failed, nullptr) << ids_of(endpoint);
  EXPECT_NE(failed->message.find("454 4.7.0"), std::string::npos) << failed->message;
  EXPECT_EQ(finding_named(endpoint, kFindingTlsSelfSigned), nullptr) << "no handshake, no cert";
}

TEST(TlsFindings, PlaintextAfterThe220IsAFinding) {
  const LabAuditRun run = audit(LabProfile::starttls_extra_reply);
  const EndpointResult& endpoint = lab_endpoint(run);
  EXPECT_EQ(endpoint.verdict, EndpointVerdict::closed) << endpoint.verdict_reason;
  const Finding* extra = finding_named(endpoint, kFindingPlaintextAfterStarttls);
  ASSERT_NE(extra, nullptr) << ids_of(endpoint);
  EXPECT_EQ(extra->severity, "high");
  EXPECT_EQ(extra->message.rfind(std::to_string(endpoint.bytes_after_starttls) + " byte(s)", 0), 0u)
      << extra->message;
}

TEST(TlsFindings, APlaintextGatewayOffAPort25HasNoTlsFinding) {
  const LabAuditRun run = audit(LabProfile::closed);
  const EndpointResult& endpoint = lab_endpoint(run);
  ASSERT_NE(endpoint.endpoint.port, 25);
  for (const auto& finding : endpoint.findings) EXPECT_FALSE(is_tls_finding(finding.id));
}

// --- rules on constructed results: port 25 and --tls-probe cannot be had on a loopback lab ------

EndpointResult greeted_plaintext(std::uint16_t port) {
  EndpointResult endpoint;
  endpoint.endpoint.address = "192.0.2.25";
  endpoint.endpoint.port = port;
  endpoint.greeting = Greeting{};
  endpoint.verdict = EndpointVerdict::closed;
  return endpoint;
}

TEST(TlsFindingRules, Port25WithoutStarttlsIsAFindingElsewhereNot) {
  const auto on_25 = tls_findings(greeted_plaintext(25));
  ASSERT_EQ(on_25.size(), 1u);
  EXPECT_EQ(on_25[0].id, kFindingStarttlsMissing);
  EXPECT_EQ(on_25[0].severity, "medium");
  EXPECT_TRUE(tls_findings(greeted_plaintext(2525)).empty());
  EndpointResult offered = greeted_plaintext(25);
  offered.starttls_offered = true;
  EXPECT_TRUE(tls_findings(offered).empty());
  EndpointResult silent = greeted_plaintext(25);
  silent.greeting.reset();  // never greeted: nothing is known about STARTTLS
  EXPECT_TRUE(tls_findings(silent).empty());
  EndpointResult policy = greeted_plaintext(25);
  policy.starttls_policy = "absent";
  policy.starttls_offered = true;  // the policy, once recorded, is what counts
  EXPECT_EQ(tls_findings(policy).size(), 1u);
  EndpointResult implicit = greeted_plaintext(25);
  implicit.implicit_tls = true;
  EXPECT_TRUE(tls_findings(implicit).empty());
}

TEST(TlsFindingRules, ProbesAndDetectionGiveTheirFindings) {
  EndpointResult endpoint = greeted_plaintext(2525);
  endpoint.greeting.reset();
  endpoint.tls_detected = true;
  endpoint.tls_probes =
      TlsProbeResults{{{"TLSv1", true, ""}, {"TLSv1.1", false, "unsupported protocol"}},
                      true,
                      "250 after STARTTLS"};
  const auto findings = tls_findings(endpoint);
  ASSERT_EQ(findings.size(), 3u);
  EXPECT_EQ(findings[0].id, kFindingTlsDetected);
  EXPECT_NE(findings[0].message.find("smtps://192.0.2.25:2525"), std::string::npos);
  EXPECT_EQ(findings[1].id, kFindingTlsLegacyProtocol);
  EXPECT_NE(findings[1].message.find("limited to TLSv1 "), std::string::npos)
      << findings[1].message;
  EXPECT_EQ(findings[1].message.find("TLSv1.1"), std::string::npos) << "refused: not listed";
  EXPECT_EQ(findings[2].id, kFindingStarttlsInjection);
  EXPECT_EQ(findings[2].severity, "high");
  EXPECT_NE(findings[2].message.find("250 after STARTTLS"), std::string::npos);
  endpoint.tls_probes->starttls_injection = false;
  endpoint.tls_probes->versions[0].accepted = false;
  EXPECT_EQ(tls_findings(endpoint).size(), 1u) << "only tls_detected is left";
}

TlsFacts chain_of(std::vector<CertificateFacts> chain, bool trusted) {
  TlsFacts facts;
  facts.protocol = "TLSv1.3";
  facts.chain = std::move(chain);
  facts.chain_trusted = trusted;
  if (!trusted) facts.verify_error = "unable to get local issuer certificate";
  return facts;
}

CertificateFacts cert(std::string subject, std::string issuer, std::string from, std::string to,
                      std::int64_t days_left) {
  CertificateFacts facts;
  facts.subject = std::move(subject);
  facts.issuer = std::move(issuer);
  facts.not_before = std::move(from);
  facts.not_after = std::move(to);
  facts.days_left = days_left;
  return facts;
}

// 2030-06-01T12:00:00Z, so the validity dates below are fixed.
std::chrono::system_clock::time_point june_2030() {
  return std::chrono::system_clock::from_time_t(1906545600);
}

TEST(TlsFindingRules, DatesAreJudgedByTheClockNotOnlyByRoundedDays) {
  EndpointResult endpoint = greeted_plaintext(587);
  endpoint.starttls_offered = true;
  // Expired three hours before `now`: days_left rounds to 0, not_after still tells.
  endpoint.tls = chain_of(
      {cert("CN=mx.example.test", "CN=CA", "2030-01-01T00:00:00Z", "2030-06-01T09:00:00Z", 0),
       cert("CN=CA", "CN=Root", "2030-07-01T00:00:00Z", "2040-01-01T00:00:00Z", 3500)},
      true);
  const auto findings = tls_findings(endpoint, june_2030());
  ASSERT_EQ(findings.size(), 2u);
  EXPECT_EQ(findings[0].id, kFindingTlsExpired);
  EXPECT_NE(findings[0].message.find("the leaf certificate (CN=mx.example.test) expired on "
                                     "2030-06-01T09:00:00Z"),
            std::string::npos)
      << findings[0].message;
  EXPECT_EQ(findings[1].id, kFindingTlsNotYetValid);
  EXPECT_NE(findings[1].message.find("chain certificate 2 (CN=CA) is valid only from "
                                     "2030-07-01T00:00:00Z"),
            std::string::npos)
      << findings[1].message;
  EXPECT_TRUE(tls_findings(endpoint, june_2030() - std::chrono::hours(4)).size() == 1u)
      << "four hours earlier the leaf was still valid";
}

TEST(TlsFindingRules, AnUntrustedChainNamesOpenSslsReasonAndATrustedSelfSignedOneIsFine) {
  EndpointResult endpoint = greeted_plaintext(587);
  endpoint.starttls_offered = true;
  endpoint.tls = chain_of({cert("CN=mx.example.test", "CN=Intermediate", "2030-01-01T00:00:00Z",
                                "2031-01-01T00:00:00Z", 200)},
                          false);
  auto findings = tls_findings(endpoint, june_2030());
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].id, kFindingTlsUntrusted);
  EXPECT_NE(findings[0].message.find("(OpenSSL: unable to get local issuer certificate)"),
            std::string::npos)
      << findings[0].message;
  // Self-signed and trusted (--ca-file holds it): the operator chose it; nothing to report.
  endpoint.tls =
      chain_of({cert("CN=mx", "CN=mx", "2030-01-01T00:00:00Z", "2031-01-01T00:00:00Z", 200)}, true);
  EXPECT_TRUE(tls_findings(endpoint, june_2030()).empty());
}

TEST(TlsFindingRules, EverySeverityIsOneTheReportsKnow) {
  for (const auto& info : kTlsFindings) {
    const std::string severity(info.severity);
    EXPECT_TRUE(severity == "high" || severity == "medium" || severity == "low" ||
                severity == "info")
        << info.id;
    EXPECT_TRUE(std::string(info.id).starts_with("tls-")) << info.id;
    EXPECT_FALSE(info.references[0].empty()) << info.id;
  }
}

}  // namespace
}  // namespace relayaudit
