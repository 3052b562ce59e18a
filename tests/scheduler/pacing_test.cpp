// Per-endpoint pacing against lab gateways over real sockets: parallel connections under the cap,
// error limits learned and then respected, greylisting waited out once.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "support/lab_audit.hpp"

namespace relayaudit {
namespace {

using testing::fast_audit_options;
using testing::LabAuditRun;
using testing::only_endpoint;
using testing::run_lab_audit;

// A greet wait is measured from our connect callback, which a loaded machine (ASan, parallel
// tests) runs some milliseconds after the server's accept started its timer.
constexpr std::int64_t kLateConnectCallbackMs = 100;

LabAuditRun audit_with_builtin_scripts(LabProfile profile, const AuditOptions& options,
                                       const LabOptions& lab_options = {}) {
  LabAuditRun run =
      run_lab_audit({LabGatewayConfig{profile, "127.0.0.1", 0}}, options, lab_options);
  EXPECT_TRUE(run.loop_closed_cleanly) << "a libuv handle leaked";
  EXPECT_EQ(run.stats.data_commands, 0u) << "an audit must never send DATA";
  EXPECT_EQ(run.stats.pregreet_violations, 0u) << "talked before the final 220 line";
  return run;
}

// What each connection of the endpoint transcript did, from its own lines.
struct ConnectionLog {
  std::int64_t first_ms = 0;
  std::int64_t last_ms = 0;
  int errors = 0;  // final reply lines 4xx/5xx other than 421
  int closing_421 = 0;
};

std::map<int, ConnectionLog> connection_logs(const EndpointResult& endpoint) {
  std::map<int, ConnectionLog> logs;
  for (const TranscriptLine& line : endpoint.transcript) {
    auto [it, fresh] = logs.try_emplace(line.session);
    ConnectionLog& log = it->second;
    if (fresh) log.first_ms = line.at_ms;
    log.last_ms = std::max(log.last_ms, line.at_ms);
    const std::string& text = line.line;
    const bool final_reply = line.direction == Direction::server && text.size() >= 4 &&
                             text[3] == ' ' && (text[0] == '4' || text[0] == '5');
    if (!final_reply) continue;
    if (text.rfind("421", 0) == 0) {
      ++log.closing_421;
    } else {
      ++log.errors;
    }
  }
  return logs;
}

// The most connections whose lifetimes overlap.
int peak_overlap(const std::map<int, ConnectionLog>& logs) {
  int peak = 0;
  for (const auto& [number, log] : logs) {
    int open = 0;
    for (const auto& [other_number, other] : logs) {
      open += other.first_ms <= log.first_ms && log.first_ms < other.last_ms ? 1 : 0;
    }
    peak = std::max(peak, open);
  }
  return peak;
}

TEST(Pacing, AClosedGatewayRunsThePlanOnParallelConnectionsUnderTheCap) {
  AuditOptions options = fast_audit_options();
  options.connections_per_endpoint = 4;
  // A network round trip: with none, the first connection may finish before the next connects.
  LabOptions lab;
  lab.latency = Millis(20);
  const LabAuditRun run = audit_with_builtin_scripts(LabProfile::closed, options, lab);
  const EndpointResult& endpoint = only_endpoint(run);
  EXPECT_EQ(endpoint.verdict, EndpointVerdict::closed) << endpoint.verdict_reason;
  const auto logs = connection_logs(endpoint);
  EXPECT_GE(peak_overlap(logs), 2) << "the plan ran on one connection at a time";
  EXPECT_LE(peak_overlap(logs), 4);
  EXPECT_LE(endpoint.pacing.peak_connections, 4);
  EXPECT_EQ(endpoint.pacing.connection_cap, 4);
  for (const auto& [number, log] : logs) {
    EXPECT_LE(log.errors, options.tests_per_connection) << "connection " << number;
  }
  for (const TestResult& test : endpoint.tests) EXPECT_EQ(test.attempts, 1) << test.id;
  EXPECT_FALSE(endpoint.pacing.error_limit.has_value());
  EXPECT_FALSE(endpoint.pacing.tarpit_ms.has_value());
}

TEST(Pacing, AHangUpAfterKErrorsIsLearnedAndNoLaterConnectionReachesIt) {
  AuditOptions options = fast_audit_options();
  options.connections_per_endpoint = 2;
  LabOptions lab;
  lab.error_limit = 4;  // the 4th error of a connection is answered 421
  const LabAuditRun run = audit_with_builtin_scripts(LabProfile::error_limit, options, lab);
  const EndpointResult& endpoint = only_endpoint(run);
  EXPECT_EQ(endpoint.verdict, EndpointVerdict::closed) << endpoint.verdict_reason;
  ASSERT_TRUE(endpoint.pacing.error_limit.has_value());
  EXPECT_EQ(*endpoint.pacing.error_limit, 3);  // errors it answered before the 421
  // One below: a 421 in place of the next error and a 421 to the next command look alike.
  EXPECT_EQ(endpoint.pacing.errors_per_connection, 2);
  // Only the first connections, opened before anything was learned, met the 421.
  int met_421 = 0;
  for (const auto& [number, log] : connection_logs(endpoint)) met_421 += log.closing_421;
  EXPECT_GE(met_421, 1);
  EXPECT_LE(met_421, 2);
  for (const TestResult& test : endpoint.tests) {
    EXPECT_NE(test.outcome, Outcome::error) << test.id << ": " << test.detail;
  }
}

TEST(Pacing, GreylistingCostsOneWaitForTheWholeEndpoint) {
  AuditOptions options = fast_audit_options();
  options.greylist_delay = Millis(400);
  LabOptions lab;
  lab.greylist_window = Millis(300);
  // An open relay behind greylisting: every test answers only on its retry.
  const LabAuditRun run = audit_with_builtin_scripts(LabProfile::greylisting, options, lab);
  const EndpointResult& endpoint = only_endpoint(run);
  EXPECT_EQ(endpoint.verdict, EndpointVerdict::open_relay) << endpoint.verdict_reason;
  EXPECT_EQ(endpoint.pacing.greylist_waits, 1);
  for (const TestResult& test : endpoint.tests) {
    EXPECT_EQ(test.attempts, 2) << test.id << ": " << test.detail;
    EXPECT_NE(test.outcome, Outcome::deferred) << test.id;
  }
}

TEST(Pacing, AServerThatDefersEverythingIsInconclusiveAfterOneRetryNotTwo) {
  AuditOptions options = fast_audit_options();
  options.greylist_retries = 2;
  const LabAuditRun run = audit_with_builtin_scripts(LabProfile::greylist_forever, options);
  const EndpointResult& endpoint = only_endpoint(run);
  EXPECT_EQ(endpoint.verdict, EndpointVerdict::inconclusive);
  EXPECT_EQ(endpoint.pacing.greylist_waits, 1);
  for (const TestResult& test : endpoint.tests) {
    EXPECT_EQ(test.outcome, Outcome::deferred) << test.id;
    EXPECT_EQ(test.attempts, 2) << test.id;
    EXPECT_NE(test.detail.find("defers everything"), std::string::npos) << test.detail;
  }
  EXPECT_NE(endpoint.verdict_reason.find("defers everything"), std::string::npos)
      << endpoint.verdict_reason;
}

TEST(Pacing, ABannerWaitIsRecordedAndPaidOnceAConnectionInParallel) {
  AuditOptions options = fast_audit_options();
  options.connections_per_endpoint = 4;
  LabOptions lab;
  lab.tarpit_banner_delay = Millis(800);
  lab.tarpit_reply_delay = Millis(0);
  const LabAuditRun run = audit_with_builtin_scripts(LabProfile::tarpit, options, lab);
  const EndpointResult& endpoint = only_endpoint(run);
  EXPECT_EQ(endpoint.verdict, EndpointVerdict::closed) << endpoint.verdict_reason;
  ASSERT_TRUE(endpoint.pacing.greet_wait_ms.has_value());
  EXPECT_GE(*endpoint.pacing.greet_wait_ms, 800 - kLateConnectCallbackMs);
  const auto logs = connection_logs(endpoint);
  EXPECT_GE(peak_overlap(logs), 2) << "the banner waits were paid one after another";
}

}  // namespace
}  // namespace relayaudit

namespace relayaudit {
namespace {

using testing::fast_audit_options;
using testing::LabAuditRun;
using testing::only_endpoint;
using testing::run_lab_audit;

LabAuditRun audit_limited(LabProfile profile, const AuditOptions& options, const LabOptions& lab,
                          const std::vector<RelayScript>& scripts = builtin_scripts()) {
  LabAuditRun run =
      run_lab_audit({LabGatewayConfig{profile, "127.0.0.1", 0}}, options, lab, {}, 64, scripts);
  EXPECT_TRUE(run.loop_closed_cleanly) << "a libuv handle leaked";
  EXPECT_EQ(run.stats.data_commands, 0u) << "an audit must never send DATA";
  EXPECT_EQ(run.stats.pregreet_violations, 0u) << "talked before the final 220 line";
  return run;
}

void expect_every_test_decided(const EndpointResult& endpoint) {
  for (const TestResult& test : endpoint.tests) {
    EXPECT_NE(test.outcome, Outcome::error) << test.id << ": " << test.detail;
  }
}

TEST(PacingProfiles, AnErrorSleepIsLearnedAndNoConnectionReachesTheHardLimit) {
  LabOptions lab;
  lab.soft_error_limit = 3;
  lab.error_sleep = Millis(700);
  lab.hard_error_limit = 5;
  const LabAuditRun run = audit_limited(LabProfile::error_sleep, fast_audit_options(), lab);
  const EndpointResult& endpoint = only_endpoint(run);
  EXPECT_EQ(endpoint.verdict, EndpointVerdict::closed) << endpoint.verdict_reason;
  expect_every_test_decided(endpoint);
  // The first slow reply came after 3 errors: 2 a connection stay quick.
  ASSERT_TRUE(endpoint.pacing.error_limit.has_value());
  EXPECT_EQ(*endpoint.pacing.error_limit, 3);
  EXPECT_EQ(endpoint.pacing.errors_per_connection, 2);
  // The first round's batches were already written, so the server went on to its 421 there;
  // every later connection stayed at 2 errors.
  EXPECT_LE(run.stats.error_limit_drops,
            static_cast<std::uint64_t>(endpoint.pacing.peak_connections));
  const auto logs = connection_logs(endpoint);
  int after_learning = 0;
  for (const auto& [number, log] : logs) {
    if (number <= endpoint.pacing.peak_connections) continue;
    ++after_learning;
    EXPECT_LE(log.errors, 2) << "connection " << number;
  }
  EXPECT_GE(after_learning, 1);
}

// The closed lab parses every address form and refuses it with 554 5.7.1, as Postfix does: the
// forms are ordinary errors there, so they no longer need connections of their own (16 forms at 3
// a connection forced 6; 29 refusals at 8 a connection need 4).
TEST(Pacing, AServerThatParsesAddressFormsLiftsTheSyntaxBudget) {
  const AuditOptions options = fast_audit_options();
  const LabAuditRun run = audit_with_builtin_scripts(LabProfile::closed, options);
  const EndpointResult& endpoint = only_endpoint(run);
  EXPECT_EQ(endpoint.verdict, EndpointVerdict::closed) << endpoint.verdict_reason;
  expect_every_test_decided(endpoint);
  EXPECT_EQ(endpoint.pacing.syntax_errors_per_connection, options.tests_per_connection);
  EXPECT_FALSE(endpoint.pacing.syntax_error_limit.has_value());
  EXPECT_LT(endpoint.connections, 6) << "the syntax budget still shaped the plan";
  for (const auto& [number, log] : connection_logs(endpoint)) {
    EXPECT_LE(log.errors, options.tests_per_connection) << "connection " << number;
  }
}

TEST(PacingProfiles, TheDefaultSyntaxBudgetNeverCrossesExims) {
  const LabAuditRun run =
      audit_limited(LabProfile::exim_syntax_limit, fast_audit_options(), LabOptions{});
  const EndpointResult& endpoint = only_endpoint(run);
  EXPECT_EQ(endpoint.verdict, EndpointVerdict::closed) << endpoint.verdict_reason;
  expect_every_test_decided(endpoint);
  EXPECT_EQ(run.stats.error_limit_drops, 0u) << "a connection drew a 4th syntax error";
  EXPECT_FALSE(endpoint.pacing.syntax_error_limit.has_value());
  // Its 501s keep the syntax budget where it was: it is never lifted for Exim.
  EXPECT_EQ(endpoint.pacing.syntax_errors_per_connection,
            fast_audit_options().syntax_errors_per_connection);
}

TEST(PacingProfiles, AHangUpAfterTooManySyntaxErrorsLowersTheSyntaxBudget) {
  AuditOptions options = fast_audit_options();
  options.syntax_errors_per_connection = 8;  // above Exim's 3, so the limit must be learned
  options.connections_per_endpoint = 2;
  const LabAuditRun run = audit_limited(LabProfile::exim_syntax_limit, options, LabOptions{});
  const EndpointResult& endpoint = only_endpoint(run);
  EXPECT_EQ(endpoint.verdict, EndpointVerdict::closed) << endpoint.verdict_reason;
  expect_every_test_decided(endpoint);
  // Exim answers the 4th syntax error, then hangs up.
  ASSERT_TRUE(endpoint.pacing.syntax_error_limit.has_value());
  EXPECT_EQ(*endpoint.pacing.syntax_error_limit, 4);
  EXPECT_EQ(endpoint.pacing.syntax_errors_per_connection, 3);
  // Only the connections opened before it was learned met the hang-up.
  EXPECT_GE(run.stats.error_limit_drops, 1u);
  EXPECT_LE(run.stats.error_limit_drops, 2u);
}

TEST(PacingProfiles, A421ForTooManyConnectionsLowersTheCapAndEveryTestStillRuns) {
  AuditOptions options = fast_audit_options();
  options.connections_per_endpoint = 6;
  LabOptions lab;
  lab.connection_limit = 2;
  const LabAuditRun run = audit_limited(LabProfile::connection_limit, options, lab);
  const EndpointResult& endpoint = only_endpoint(run);
  EXPECT_EQ(endpoint.verdict, EndpointVerdict::closed) << endpoint.verdict_reason;
  expect_every_test_decided(endpoint);
  EXPECT_TRUE(endpoint.pacing.connection_limit_seen);
  EXPECT_LE(endpoint.pacing.connection_cap, 2);
  EXPECT_GE(run.stats.connection_limit_refusals, 1u);
  EXPECT_LE(run.stats.peak_connections_per_peer, 2u);
  // Refusals came only from the first burst: once lowered, the cap held.
  EXPECT_LE(run.stats.connection_limit_refusals, 4u);
}

TEST(PacingProfiles, ATarpitIsRecordedAndPaidOnParallelConnections) {
  LabOptions lab;
  lab.tarpit_delay = Millis(600);
  const LabAuditRun run = audit_limited(LabProfile::exchange_tarpit, fast_audit_options(), lab,
                                        testing::core_scripts());
  const EndpointResult& endpoint = only_endpoint(run);
  EXPECT_EQ(endpoint.verdict, EndpointVerdict::closed) << endpoint.verdict_reason;
  expect_every_test_decided(endpoint);
  ASSERT_TRUE(endpoint.pacing.tarpit_ms.has_value());
  EXPECT_GE(*endpoint.pacing.tarpit_ms, 600);
  EXPECT_FALSE(endpoint.pacing.error_limit.has_value()) << "a tarpit is not an error sleep";
  EXPECT_GE(endpoint.pacing.peak_connections, 2);
  EXPECT_EQ(run.stats.error_limit_drops, 0u);
}

TEST(PacingProfiles, APostscreenGreetWaitIsPaidByTheConnectionsAtOnce) {
  LabOptions lab;
  lab.greet_wait = Millis(700);
  const LabAuditRun run = audit_limited(LabProfile::postscreen, fast_audit_options(), lab);
  const EndpointResult& endpoint = only_endpoint(run);
  EXPECT_EQ(endpoint.verdict, EndpointVerdict::closed) << endpoint.verdict_reason;
  expect_every_test_decided(endpoint);
  ASSERT_TRUE(endpoint.pacing.greet_wait_ms.has_value());
  EXPECT_GE(*endpoint.pacing.greet_wait_ms, 700 - kLateConnectCallbackMs);
  EXPECT_GE(endpoint.pacing.peak_connections, 2);
  // The others joined at the "220-" teaser: every connection waited at the same time.
  EXPECT_EQ(endpoint.pacing.peak_connections, endpoint.connections);
}

TEST(PacingProfiles, NetworkLatencyIsNeitherATarpitNorAnErrorSleep) {
  LabOptions lab;
  lab.latency = Millis(150);
  const LabAuditRun run = audit_limited(LabProfile::closed, fast_audit_options(), lab);
  const EndpointResult& endpoint = only_endpoint(run);
  EXPECT_EQ(endpoint.verdict, EndpointVerdict::closed) << endpoint.verdict_reason;
  expect_every_test_decided(endpoint);
  EXPECT_FALSE(endpoint.pacing.tarpit_ms.has_value());
  EXPECT_FALSE(endpoint.pacing.error_limit.has_value());
  EXPECT_FALSE(endpoint.pacing.greet_wait_ms.has_value());
  EXPECT_EQ(endpoint.pacing.errors_per_connection, fast_audit_options().tests_per_connection);
}

}  // namespace
}  // namespace relayaudit
