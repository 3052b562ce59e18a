// Every lab profile audited over real loopback sockets: exact outcome, stage and verdict.
#include <gtest/gtest.h>

#include "support/lab_audit.hpp"

namespace relayaudit {
namespace {

using testing::fast_audit_options;
using testing::LabAuditRun;
using testing::only_endpoint;
using testing::run_lab_audit;
using testing::test_named;

// The core scripts: these tests count connections and round trips of a small, known plan.
LabAuditRun audit_with_core_scripts(LabProfile profile,
                                    const AuditOptions& options = fast_audit_options(),
                                    const LabOptions& lab_options = {}) {
  LabAuditRun run = run_lab_audit({LabGatewayConfig{profile, "127.0.0.1", 0}}, options, lab_options,
                                  {}, 64, testing::core_scripts());
  EXPECT_TRUE(run.loop_closed_cleanly) << "a libuv handle leaked";
  EXPECT_EQ(run.stats.data_commands, 0u) << "an audit must never send DATA";
  EXPECT_EQ(run.stats.pregreet_violations, 0u) << "talked before the final 220 line";
  return run;
}

void expect_all_relay_tests(const EndpointResult& endpoint, Outcome outcome, Stage stage) {
  for (const auto& test : endpoint.tests) {
    if (test.kind != ScriptKind::relay) continue;
    EXPECT_EQ(test.outcome, outcome) << test.id;
    EXPECT_EQ(test.stage, stage) << test.id;
  }
}

TEST(LabProfiles, ClosedGatewayRejectsEveryRelayAttemptAtRcpt) {
  const auto run = audit_with_core_scripts(LabProfile::closed);
  const EndpointResult& endpoint = only_endpoint(run);
  EXPECT_EQ(endpoint.verdict, EndpointVerdict::closed) << endpoint.verdict_reason;
  expect_all_relay_tests(endpoint, Outcome::rejected, Stage::rcpt);
  const TestResult& external = test_named(endpoint, "relay-external-sender");
  ASSERT_TRUE(external.reply.has_value());
  EXPECT_EQ(external.reply->code, 554);
  EXPECT_EQ(external.reply->enhanced, "5.7.1");
  EXPECT_EQ(external.verdict, TestVerdict::pass);
  EXPECT_EQ(external.attempts, 1);
  EXPECT_EQ(external.rcpt_to.back(), "relayaudit-probe@relayaudit-external.invalid");
  const TestResult& control = test_named(endpoint, "control-postmaster");
  EXPECT_EQ(control.outcome, Outcome::accepted);
  EXPECT_EQ(control.verdict, TestVerdict::pass);
  // The host name comes from the EHLO greeting, not from a word of the banner.
  EXPECT_EQ(control.rcpt_to.back(), "postmaster@" + run.gateways[0].host_name);
  ASSERT_TRUE(endpoint.greeting.has_value());
  EXPECT_TRUE(endpoint.greeting->pipelining);
  EXPECT_FALSE(endpoint.greeting->used_helo);
  EXPECT_EQ(endpoint.connections, 1);
}

// A relay-only gateway whose host name is not one of its mail domains refuses
// postmaster@<host name>: the control then asks the next form, the bare <postmaster> RFC 5321
// requires, and the gateway is closed, not inconclusive.
TEST(LabProfiles, APureGatewayPassesTheControlWithTheNextPostmasterForm) {
  const auto run = audit_with_core_scripts(LabProfile::pure_gateway);
  const EndpointResult& endpoint = only_endpoint(run);
  EXPECT_EQ(endpoint.verdict, EndpointVerdict::closed) << endpoint.verdict_reason;
  expect_all_relay_tests(endpoint, Outcome::rejected, Stage::rcpt);
  const TestResult& control = test_named(endpoint, "control-postmaster");
  EXPECT_EQ(control.outcome, Outcome::accepted);
  EXPECT_EQ(control.rcpt_to, std::vector<std::string>{"postmaster"});
  EXPECT_EQ(control.attempts, 2);
  EXPECT_EQ(control.detail.rfind(
                "refused first: <postmaster@" + run.gateways[0].host_name + "> (554 5.7.1 ", 0),
            0u)
      << control.detail;
}

// --mail-domain names the domain the gateway receives mail for: the control asks it first, and
// {target_domain} stands for it in every script.
TEST(LabProfiles, MailDomainIsTheControlsFirstForm) {
  AuditOptions options = fast_audit_options();
  options.mail_domain = "corp.relayaudit.test";
  const auto run = audit_with_core_scripts(LabProfile::pure_gateway, options);
  const EndpointResult& endpoint = only_endpoint(run);
  EXPECT_EQ(endpoint.verdict, EndpointVerdict::closed) << endpoint.verdict_reason;
  const TestResult& control = test_named(endpoint, "control-postmaster");
  EXPECT_EQ(control.outcome, Outcome::accepted);
  EXPECT_EQ(control.rcpt_to, std::vector<std::string>{"postmaster@corp.relayaudit.test"});
  EXPECT_EQ(control.attempts, 1);
  EXPECT_TRUE(control.detail.empty()) << control.detail;
  EXPECT_TRUE(control.mail_domain.empty()) << "mail_domain records a domain DNS gave";
}

TEST(LabProfiles, IpLiteralSenderUsesTheAddressLiteral) {
  const auto run = audit_with_core_scripts(LabProfile::closed);
  const TestResult& literal = test_named(only_endpoint(run), "relay-ip-literal-sender");
  EXPECT_EQ(literal.mail_from, "relayaudit-sender@[127.0.0.1]");
  const TestResult& null_sender = test_named(only_endpoint(run), "relay-null-sender");
  EXPECT_EQ(null_sender.mail_from, "");
}

TEST(LabProfiles, PipeliningBatchesTheWholePlanIntoOneRoundTrip) {
  const auto pipelined = audit_with_core_scripts(LabProfile::closed);
  AuditOptions serial_options = fast_audit_options();
  serial_options.session.use_pipelining = false;
  const auto serial = audit_with_core_scripts(LabProfile::closed, serial_options);
  const auto tests = static_cast<int>(only_endpoint(serial).tests.size());
  // EHLO, then one batch of MAIL/RCPT/RSET for every test that ends with QUIT.
  EXPECT_EQ(only_endpoint(pipelined).round_trips, 2);
  EXPECT_GT(pipelined.stats.max_commands_per_read, 1u);
  // EHLO, then MAIL, RCPT and RSET one at a time per test, QUIT.
  EXPECT_EQ(only_endpoint(serial).round_trips, 2 + 3 * tests);
  EXPECT_EQ(serial.stats.max_commands_per_read, 1u);
  EXPECT_EQ(only_endpoint(serial).verdict, EndpointVerdict::closed);
}

TEST(LabProfiles, OpenGatewayIsAnOpenRelay) {
  const auto run = audit_with_core_scripts(LabProfile::open);
  const EndpointResult& endpoint = only_endpoint(run);
  EXPECT_EQ(endpoint.verdict, EndpointVerdict::open_relay);
  expect_all_relay_tests(endpoint, Outcome::accepted, Stage::rcpt);
  const TestResult& external = test_named(endpoint, "relay-external-sender");
  EXPECT_EQ(external.verdict, TestVerdict::fail);
  ASSERT_TRUE(external.reply.has_value());
  EXPECT_EQ(external.reply->code, 250);
  EXPECT_NE(endpoint.verdict_reason.find("relay attempts accepted"), std::string::npos);
}

TEST(LabProfiles, GreylistedOpenRelayIsFoundAfterARetry) {
  LabOptions lab;
  lab.greylist_window = Millis(200);
  const auto run = audit_with_core_scripts(LabProfile::greylisting, fast_audit_options(), lab);
  const EndpointResult& endpoint = only_endpoint(run);
  EXPECT_EQ(endpoint.verdict, EndpointVerdict::open_relay);
  const TestResult& external = test_named(endpoint, "relay-external-sender");
  EXPECT_EQ(external.outcome, Outcome::accepted);
  EXPECT_EQ(external.attempts, 2);
  EXPECT_GE(endpoint.connections, 2);
}

TEST(LabProfiles, PermanentGreylistingIsDeferredAndInconclusive) {
  AuditOptions options = fast_audit_options();
  options.greylist_retries = 1;
  options.greylist_delay = Millis(100);
  const auto run = audit_with_core_scripts(LabProfile::greylist_forever, options);
  const EndpointResult& endpoint = only_endpoint(run);
  EXPECT_EQ(endpoint.verdict, EndpointVerdict::inconclusive);
  const TestResult& external = test_named(endpoint, "relay-external-sender");
  EXPECT_EQ(external.outcome, Outcome::deferred);
  EXPECT_EQ(external.stage, Stage::rcpt);
  EXPECT_EQ(external.attempts, 2);
  ASSERT_TRUE(external.reply.has_value());
  EXPECT_EQ(external.reply->code, 450);
}

TEST(LabProfiles, EhloRejectFallsBackToHeloAndFindsTheRelay) {
  const auto run = audit_with_core_scripts(LabProfile::ehlo_reject);
  const EndpointResult& endpoint = only_endpoint(run);
  EXPECT_EQ(endpoint.verdict, EndpointVerdict::open_relay);
  ASSERT_TRUE(endpoint.greeting.has_value());
  EXPECT_TRUE(endpoint.greeting->used_helo);
  EXPECT_FALSE(endpoint.greeting->pipelining);
}

TEST(LabProfiles, PercentHackHoleIsCaughtByThePercentHackScriptOnly) {
  const auto run = audit_with_core_scripts(LabProfile::percent_hack);
  const EndpointResult& endpoint = only_endpoint(run);
  EXPECT_EQ(endpoint.verdict, EndpointVerdict::open_relay);
  for (const auto& test : endpoint.tests) {
    if (test.kind != ScriptKind::relay) continue;
    const bool hole = test.id == "relay-percent-hack-ip";
    EXPECT_EQ(test.outcome, hole ? Outcome::accepted : Outcome::rejected) << test.id;
  }
  EXPECT_EQ(test_named(endpoint, "relay-percent-hack-ip").rcpt_to.back(),
            "relayaudit-probe%relayaudit-external.invalid@[127.0.0.1]");
}

TEST(LabProfiles, StarttlsRequiredIsBlockedAtMail) {
  const auto run = audit_with_core_scripts(LabProfile::starttls_required);
  const EndpointResult& endpoint = only_endpoint(run);
  EXPECT_EQ(endpoint.verdict, EndpointVerdict::inconclusive);
  expect_all_relay_tests(endpoint, Outcome::blocked, Stage::mail);
  const TestResult& external = test_named(endpoint, "relay-external-sender");
  ASSERT_TRUE(external.reply.has_value());
  EXPECT_EQ(external.reply->code, 530);
}

TEST(LabProfiles, ErrorLimitForcesAReconnectAndTheAuditStillFinishes) {
  LabOptions lab;
  lab.error_limit = 3;
  AuditOptions options = fast_audit_options();
  options.tests_per_connection = 20;
  const auto run = audit_with_core_scripts(LabProfile::error_limit, options, lab);
  const EndpointResult& endpoint = only_endpoint(run);
  EXPECT_EQ(endpoint.verdict, EndpointVerdict::closed) << endpoint.verdict_reason;
  EXPECT_GE(endpoint.connections, 2);
  int retried = 0;
  for (const auto& test : endpoint.tests) retried += test.attempts > 1 ? 1 : 0;
  EXPECT_GE(retried, 1);
}

TEST(LabProfiles, DefaultTestsPerConnectionStayUnderThePostfixErrorLimit) {
  LabOptions lab;
  lab.error_limit = 10;
  const auto run = audit_with_core_scripts(LabProfile::error_limit, fast_audit_options(), lab);
  EXPECT_EQ(only_endpoint(run).verdict, EndpointVerdict::closed);
  EXPECT_EQ(only_endpoint(run).connections, 1);
}

TEST(LabProfiles, TarpitIsSlowButClosed) {
  const auto run = audit_with_core_scripts(LabProfile::tarpit);
  const EndpointResult& endpoint = only_endpoint(run);
  EXPECT_EQ(endpoint.verdict, EndpointVerdict::closed) << endpoint.verdict_reason;
  ASSERT_TRUE(endpoint.greeting.has_value());
  EXPECT_EQ(endpoint.greeting->banner.lines.size(), 2u);
}

TEST(LabProfiles, TarpitSlowerThanTheBannerTimeoutIsAnIoTimeout) {
  AuditOptions options = fast_audit_options();
  options.session.timeouts.banner = Millis(300);
  options.max_attempts = 1;
  const auto run = audit_with_core_scripts(LabProfile::tarpit, options);
  const EndpointResult& endpoint = only_endpoint(run);
  EXPECT_EQ(endpoint.verdict, EndpointVerdict::unreachable);
  EXPECT_EQ(endpoint.status, Status::io_timeout);
  EXPECT_EQ(endpoint.stage, Stage::banner);
}

TEST(LabProfiles, RejectedBannerBlocksEveryTest) {
  const auto run = audit_with_core_scripts(LabProfile::reject_banner);
  const EndpointResult& endpoint = only_endpoint(run);
  EXPECT_EQ(endpoint.verdict, EndpointVerdict::unreachable);
  for (const auto& test : endpoint.tests) {
    EXPECT_EQ(test.outcome, Outcome::blocked) << test.id;
    EXPECT_EQ(test.stage, Stage::banner) << test.id;
    ASSERT_TRUE(test.reply.has_value());
    EXPECT_EQ(test.reply->code, 554);
  }
  EXPECT_EQ(endpoint.connections, 1) << "a 5xx banner is final: no reconnect";
}

TEST(LabProfiles, DroppedConnectionMidPlanIsResumedOnANewConnection) {
  const auto run = audit_with_core_scripts(LabProfile::drop_mid_plan);
  const EndpointResult& endpoint = only_endpoint(run);
  EXPECT_EQ(endpoint.verdict, EndpointVerdict::closed) << endpoint.verdict_reason;
  EXPECT_GE(endpoint.connections, 2);
  expect_all_relay_tests(endpoint, Outcome::rejected, Stage::rcpt);
}

TEST(LabProfiles, SilentServerTimesOutAtTheBanner) {
  AuditOptions options = fast_audit_options();
  options.session.timeouts.banner = Millis(200);
  const auto run = audit_with_core_scripts(LabProfile::silent, options);
  const EndpointResult& endpoint = only_endpoint(run);
  EXPECT_EQ(endpoint.verdict, EndpointVerdict::unreachable);
  EXPECT_EQ(endpoint.status, Status::io_timeout);
  EXPECT_EQ(endpoint.stage, Stage::banner);
  EXPECT_EQ(endpoint.connections, options.max_attempts);
  for (const auto& test : endpoint.tests) EXPECT_EQ(test.outcome, Outcome::error);
}

TEST(LabProfiles, HostileRepliesAreBoundedProtocolErrors) {
  for (LabProfile profile :
       {LabProfile::endless_reply, LabProfile::huge_line, LabProfile::truncated_close}) {
    const auto run = audit_with_core_scripts(profile);
    const EndpointResult& endpoint = only_endpoint(run);
    SCOPED_TRACE(std::string(to_string(profile)));
    EXPECT_EQ(endpoint.verdict, EndpointVerdict::unreachable);
    EXPECT_EQ(endpoint.status, Status::protocol_error);
    EXPECT_EQ(endpoint.stage, Stage::banner);
    for (const auto& test : endpoint.tests) {
      EXPECT_EQ(test.outcome, Outcome::error);
      EXPECT_EQ(test.status, Status::protocol_error);
    }
  }
}

TEST(LabProfiles, TruncatedBannerIsKeptInTheTranscript) {
  const auto run = audit_with_core_scripts(LabProfile::truncated_close);
  bool found = false;
  for (const auto& line : only_endpoint(run).transcript) {
    found = found || (line.direction == Direction::server && line.line == "220 partial banner");
  }
  EXPECT_TRUE(found);
}

TEST(LabProfiles, BinaryRepliesStillGiveAVerdict) {
  const auto run = audit_with_core_scripts(LabProfile::binary_reply);
  const EndpointResult& endpoint = only_endpoint(run);
  EXPECT_EQ(endpoint.verdict, EndpointVerdict::closed) << endpoint.verdict_reason;
  ASSERT_TRUE(endpoint.greeting.has_value());
  EXPECT_NE(endpoint.greeting->banner.lines[0].find('\xff'), std::string::npos);
}

TEST(LabProfiles, RefusedConnectionKeepsItsReason) {
  // A port that was just free: nothing listens there.
  const auto run = run_lab_audit({}, fast_audit_options(), {}, {"127.0.0.1:1"});
  const EndpointResult& endpoint = only_endpoint(run);
  EXPECT_EQ(endpoint.verdict, EndpointVerdict::unreachable);
  EXPECT_EQ(endpoint.status, Status::connection_refused);
  EXPECT_EQ(endpoint.connections, 1) << "a refused connection is not retried";
  for (const auto& test : endpoint.tests) EXPECT_EQ(test.status, Status::connection_refused);
}

TEST(LabProfiles, Ipv6LoopbackGateway) {
  LabAuditRun run;
  try {
    run = run_lab_audit({LabGatewayConfig{LabProfile::closed, "::1", 0}}, fast_audit_options());
  } catch (const std::exception& error) {
    GTEST_SKIP() << "cannot bind ::1 here: " << error.what();
  }
  const EndpointResult& endpoint = only_endpoint(run);
  EXPECT_TRUE(endpoint.endpoint.ipv6);
  EXPECT_EQ(endpoint.verdict, EndpointVerdict::closed) << endpoint.verdict_reason;
  EXPECT_EQ(test_named(endpoint, "relay-ip-literal-sender").mail_from,
            "relayaudit-sender@[IPv6:::1]");
}

TEST(LabProfiles, ManyGatewaysUnderATightConnectionCap) {
  std::vector<LabGatewayConfig> fleet;
  for (int i = 0; i < 40; ++i) {
    fleet.push_back(
        LabGatewayConfig{i % 2 == 0 ? LabProfile::closed : LabProfile::open, "127.0.0.1", 0});
  }
  const auto run = run_lab_audit(fleet, fast_audit_options(), {}, {}, 4);
  ASSERT_EQ(run.result.endpoints.size(), 40u);
  for (std::size_t i = 0; i < 40; ++i) {
    EXPECT_EQ(run.result.endpoints[i].verdict,
              i % 2 == 0 ? EndpointVerdict::closed : EndpointVerdict::open_relay);
  }
  EXPECT_TRUE(run.loop_closed_cleanly);
}

}  // namespace
}  // namespace relayaudit
