// Servers that lie about the order of their replies, audited over real loopback sockets: the
// reply stream is found out of step and nothing it carried becomes a verdict.
#include <gtest/gtest.h>

#include <string>
#include <tuple>

#include "support/lab_audit.hpp"

namespace relayaudit {
namespace {

using testing::fast_audit_options;
using testing::LabAuditRun;
using testing::only_endpoint;
using testing::run_lab_audit;

constexpr std::string_view kOutOfSync = "reply stream out of sync";

LabAuditRun audit_with_pipelining(
    LabProfile profile, bool pipelining,
    const std::vector<RelayScript>& scripts = testing::core_scripts()) {
  AuditOptions options = fast_audit_options();
  options.session.use_pipelining = pipelining;
  LabAuditRun run =
      run_lab_audit({LabGatewayConfig{profile, "127.0.0.1", 0}}, options, {}, {}, 64, scripts);
  EXPECT_TRUE(run.loop_closed_cleanly) << "a libuv handle leaked";
  EXPECT_EQ(run.stats.data_commands, 0u) << "an audit must never send DATA";
  return run;
}

class HostileStream : public ::testing::TestWithParam<std::tuple<LabProfile, bool>> {};

TEST_P(HostileStream, EveryTestIsAProtocolErrorAndTheEndpointIsInconclusive) {
  const auto [profile, pipelining] = GetParam();
  const LabAuditRun run = audit_with_pipelining(profile, pipelining);
  const EndpointResult& endpoint = only_endpoint(run);
  EXPECT_EQ(endpoint.verdict, EndpointVerdict::inconclusive) << endpoint.verdict_reason;
  EXPECT_NE(endpoint.verdict_reason.find(kOutOfSync), std::string::npos) << endpoint.verdict_reason;
  ASSERT_FALSE(endpoint.tests.empty());
  for (const TestResult& test : endpoint.tests) {
    EXPECT_NE(test.outcome, Outcome::accepted) << test.id;
    EXPECT_EQ(test.outcome, Outcome::error) << test.id;
    EXPECT_EQ(test.status, Status::protocol_error) << test.id;
    if (test.kind != ScriptKind::probe) {
      EXPECT_EQ(test.verdict, TestVerdict::inconclusive) << test.id;
    }
    // Desyncs found at the banner leave the tests unstarted: they end after the retries.
    EXPECT_NE(test.detail.find(kOutOfSync), std::string::npos) << test.id << ": " << test.detail;
    // An untrusted reply is never kept as the test's evidence.
    EXPECT_FALSE(test.reply.has_value() && test.reply->positive()) << test.id;
  }
  EXPECT_EQ(endpoint.status, Status::protocol_error);
  EXPECT_LE(endpoint.connections, fast_audit_options().max_attempts)
      << "a server that lies on every connection is not asked again for each test";
}

std::string profile_case_name(const ::testing::TestParamInfo<std::tuple<LabProfile, bool>>& info) {
  std::string name(to_string(std::get<0>(info.param)));
  std::erase(name, '-');
  return name + (std::get<1>(info.param) ? "Pipelined" : "OneAtATime");
}

INSTANTIATE_TEST_SUITE_P(
    LabProfiles, HostileStream,
    ::testing::Combine(::testing::Values(LabProfile::reply_after_banner, LabProfile::double_banner,
                                         LabProfile::extra_reply_mid_batch,
                                         LabProfile::repeated_replies, LabProfile::stray_reject,
                                         LabProfile::reply_after_quit),
                       ::testing::Bool()),
    profile_case_name);

TEST(HostileStream, TheStageIsTheStepWhoseReplyShowedTheDesync) {
  const LabAuditRun banner = audit_with_pipelining(LabProfile::double_banner, true);
  for (const TestResult& test : only_endpoint(banner).tests) {
    EXPECT_EQ(test.stage, Stage::ehlo) << test.id << ": the second 220 came as the EHLO reply";
  }
  const LabAuditRun after_banner = audit_with_pipelining(LabProfile::reply_after_banner, true);
  for (const TestResult& test : only_endpoint(after_banner).tests) {
    EXPECT_EQ(test.stage, Stage::banner) << test.id;
  }
  const LabAuditRun swapped = audit_with_pipelining(LabProfile::swapped_rcpt_rset, true);
  for (const TestResult& test : only_endpoint(swapped).tests) {
    // Decided tests keep the stage of their decisive reply; the rest were in flight at RSET.
    EXPECT_TRUE(test.stage == Stage::rcpt || test.stage == Stage::rset) << test.id;
  }
}

TEST(HostileStream, SwappedRcptAndRsetRepliesAreCaughtWhenPipelined) {
  const LabAuditRun run = audit_with_pipelining(LabProfile::swapped_rcpt_rset, true);
  const EndpointResult& endpoint = only_endpoint(run);
  EXPECT_EQ(endpoint.verdict, EndpointVerdict::inconclusive) << endpoint.verdict_reason;
  for (const TestResult& test : endpoint.tests) {
    // RCPT got RSET's "250 2.0.0 Ok": read blindly, every attempt would be an open relay.
    EXPECT_EQ(test.status, Status::protocol_error) << test.id;
    EXPECT_NE(test.detail.find("RSET"), std::string::npos) << test.id << ": " << test.detail;
  }
}

TEST(HostileStream, SwappedRepliesCannotHappenOneCommandAtATimeSoTheServerIsClosed) {
  // The server holds its RCPT reply until the next command or 100 ms: without pipelining there
  // is no next command, so the replies come in order and the honest verdict is closed.
  const LabAuditRun run = audit_with_pipelining(LabProfile::swapped_rcpt_rset, false);
  const EndpointResult& endpoint = only_endpoint(run);
  EXPECT_EQ(endpoint.verdict, EndpointVerdict::closed) << endpoint.verdict_reason;
  for (const TestResult& test : endpoint.tests) EXPECT_EQ(test.status, Status::ok) << test.id;
}

TEST(HostileStream, TheWholeLibraryNeverFindsAnOpenRelayOnAnyHostileStream) {
  for (LabProfile profile :
       {LabProfile::reply_after_banner, LabProfile::double_banner,
        LabProfile::extra_reply_mid_batch, LabProfile::repeated_replies,
        LabProfile::swapped_rcpt_rset, LabProfile::stray_reject, LabProfile::reply_after_quit}) {
    for (bool pipelining : {true, false}) {
      const LabAuditRun run = audit_with_pipelining(profile, pipelining, builtin_scripts());
      const EndpointResult& endpoint = only_endpoint(run);
      EXPECT_NE(endpoint.verdict, EndpointVerdict::open_relay)
          << to_string(profile) << (pipelining ? "" : " --no-pipelining") << ": "
          << endpoint.verdict_reason;
      for (const TestResult& test : endpoint.tests) {
        if (test.kind != ScriptKind::relay) continue;  // an in-step control may be accepted
        EXPECT_NE(test.outcome, Outcome::accepted) << to_string(profile) << " " << test.id;
      }
    }
  }
}

TEST(HostileStream, AnHonestOpenRelayIsStillAnOpenRelayInBothModes) {
  for (bool pipelining : {true, false}) {
    const LabAuditRun run = audit_with_pipelining(LabProfile::open, pipelining);
    const EndpointResult& endpoint = only_endpoint(run);
    EXPECT_EQ(endpoint.verdict, EndpointVerdict::open_relay) << endpoint.verdict_reason;
    for (const TestResult& test : endpoint.tests) {
      EXPECT_EQ(test.status, Status::ok) << test.id;
      EXPECT_EQ(test.attempts, 1) << test.id << ": a QUIT in step verifies the acceptance";
    }
  }
}

TEST(HostileStream, AnAcceptanceNotVerifiedByQuitIsTriedAgainBeforeItCounts) {
  // The server hangs up instead of answering QUIT: nothing showed its replies were in step.
  const LabAuditRun run = audit_with_pipelining(LabProfile::open_silent_quit, true);
  const EndpointResult& endpoint = only_endpoint(run);
  EXPECT_EQ(endpoint.verdict, EndpointVerdict::open_relay) << endpoint.verdict_reason;
  const AuditOptions options = fast_audit_options();
  for (const TestResult& test : endpoint.tests) {
    if (test.kind != ScriptKind::relay) continue;
    EXPECT_EQ(test.outcome, Outcome::accepted) << test.id;
    EXPECT_EQ(test.attempts, options.max_attempts) << test.id;
    EXPECT_NE(test.detail.find("no connection reached QUIT"), std::string::npos) << test.detail;
  }
}

}  // namespace
}  // namespace relayaudit
