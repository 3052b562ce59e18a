// --xclient and --proxy-protocol against lab gateways that trust the runner (mynetworks =
// 127.0.0.0/8): audited as an outsider they are closed; a server that does not take the vantage
// is inconclusive ("vantage not simulated"), never audited from our own, trusted address.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "support/lab_audit.hpp"

namespace relayaudit {
namespace {

using testing::fast_audit_options;
using testing::only_endpoint;
using testing::run_lab_audit;

AuditOptions vantage_options(VantageMode mode, const std::string& client, bool ipv6 = false) {
  AuditOptions options = fast_audit_options();
  options.session.vantage = Vantage{mode, client, ipv6};
  return options;
}

LabAuditRun audit_profile(LabProfile profile, const AuditOptions& options) {
  return run_lab_audit({LabGatewayConfig{profile, "127.0.0.1", 0}}, options);
}

bool transcript_has(const EndpointResult& endpoint, const std::string& text) {
  return std::any_of(
      endpoint.transcript.begin(), endpoint.transcript.end(),
      [&](const TranscriptLine& line) { return line.line.find(text) != std::string::npos; });
}

void expect_not_simulated(const LabAuditRun& run, const std::string& why) {
  ASSERT_TRUE(run.loop_closed_cleanly);
  const EndpointResult& endpoint = only_endpoint(run);
  EXPECT_EQ(endpoint.verdict, EndpointVerdict::inconclusive) << endpoint.verdict_reason;
  EXPECT_EQ(endpoint.verdict_reason.rfind("vantage not simulated: ", 0), 0u)
      << endpoint.verdict_reason;
  EXPECT_NE(endpoint.verdict_reason.find(why), std::string::npos) << endpoint.verdict_reason;
  // Nothing was asked from our own address: no test reached RCPT TO.
  for (const TestResult& test : endpoint.tests) {
    EXPECT_NE(test.outcome, Outcome::accepted) << test.id;
    EXPECT_NE(test.stage, Stage::rcpt) << test.id;
  }
}

TEST(Vantage, ARunnerInsideMynetworksSeesAnOpenRelayWhenAuditingDirectly) {
  const auto run = audit_profile(LabProfile::trusts_runner, fast_audit_options());
  EXPECT_EQ(only_endpoint(run).verdict, EndpointVerdict::open_relay);
}

TEST(Vantage, XclientMakesTheTrustingServerJudgeAnOutsiderAndItIsClosed) {
  const auto run = audit_profile(LabProfile::trusts_runner,
                                 vantage_options(VantageMode::xclient, "203.0.113.7"));
  ASSERT_TRUE(run.loop_closed_cleanly);
  const EndpointResult& endpoint = only_endpoint(run);
  EXPECT_EQ(endpoint.verdict, EndpointVerdict::closed) << endpoint.verdict_reason;
  EXPECT_TRUE(transcript_has(endpoint, "XCLIENT ADDR=203.0.113.7 NAME=[UNAVAILABLE]"));
  EXPECT_TRUE(transcript_has(endpoint, "HELO=scanner.relayaudit.test"));
  // The 220 to XCLIENT asks for EHLO again, and the tests run after it.
  EXPECT_TRUE(transcript_has(endpoint, "XCLIENT accepted"));
}

TEST(Vantage, AnIpv6ClientIsWrittenWithTheIpv6Prefix) {
  const auto run = audit_profile(LabProfile::trusts_runner,
                                 vantage_options(VantageMode::xclient, "2001:db8::7", true));
  const EndpointResult& endpoint = only_endpoint(run);
  EXPECT_EQ(endpoint.verdict, EndpointVerdict::closed) << endpoint.verdict_reason;
  EXPECT_TRUE(transcript_has(endpoint, "XCLIENT ADDR=IPV6:2001:db8::7"));
}

TEST(Vantage, XclientNotOfferedIsInconclusiveNotAnAuditFromOurOwnAddress) {
  // `open` relays for anyone and offers no XCLIENT: what it says is our own view, not judged.
  expect_not_simulated(
      audit_profile(LabProfile::open, vantage_options(VantageMode::xclient, "203.0.113.7")),
      "does not offer XCLIENT");
}

TEST(Vantage, XclientRefusedIsInconclusive) {
  expect_not_simulated(audit_profile(LabProfile::xclient_refused,
                                     vantage_options(VantageMode::xclient, "203.0.113.7")),
                       "550 5.7.0 Error: insufficient authorization");
}

TEST(Vantage, ProxyV1AndV2HeadersMakeTheServerBehindTheBalancerJudgeAnOutsider) {
  for (const VantageMode mode : {VantageMode::proxy_v1, VantageMode::proxy_v2}) {
    SCOPED_TRACE(std::string(to_string(mode)));
    const auto run =
        audit_profile(LabProfile::trusts_runner_proxy, vantage_options(mode, "203.0.113.7"));
    ASSERT_TRUE(run.loop_closed_cleanly);
    const EndpointResult& endpoint = only_endpoint(run);
    EXPECT_EQ(endpoint.verdict, EndpointVerdict::closed) << endpoint.verdict_reason;
    EXPECT_TRUE(transcript_has(endpoint, "TCP4 203.0.113.7 127.0.0.1"));
  }
}

TEST(Vantage, AProxyHeaderToAServerThatDoesNotExpectOneIsInconclusive) {
  // The server reads the header as a command and answers it; v2's signature holds "QUIT".
  for (const VantageMode mode : {VantageMode::proxy_v1, VantageMode::proxy_v2}) {
    SCOPED_TRACE(std::string(to_string(mode)));
    expect_not_simulated(
        audit_profile(LabProfile::trusts_runner, vantage_options(mode, "203.0.113.7")),
        "PROXY header");
  }
}

TEST(Vantage, GarbageAnsweringTheProxyHeaderNeitherHangsNorPassesForAVerdict) {
  const auto run = audit_profile(LabProfile::proxy_garbage,
                                 vantage_options(VantageMode::proxy_v1, "203.0.113.7"));
  ASSERT_TRUE(run.loop_closed_cleanly);
  const EndpointResult& endpoint = only_endpoint(run);
  EXPECT_NE(endpoint.verdict, EndpointVerdict::closed) << endpoint.verdict_reason;
  EXPECT_NE(endpoint.verdict, EndpointVerdict::open_relay) << endpoint.verdict_reason;
  EXPECT_EQ(endpoint.status, Status::protocol_error);
}

TEST(Vantage, WithoutAProxyHeaderTheBalancedServerNeverGreets) {
  // Postfix's smtpd_upstream_proxy_timeout: 421 after 5 s, on each of the tries.
  AuditOptions options = fast_audit_options();
  options.max_attempts = 1;
  const auto run = audit_profile(LabProfile::trusts_runner_proxy, options);
  ASSERT_TRUE(run.loop_closed_cleanly);
  EXPECT_EQ(only_endpoint(run).verdict, EndpointVerdict::unreachable);
}

}  // namespace
}  // namespace relayaudit
