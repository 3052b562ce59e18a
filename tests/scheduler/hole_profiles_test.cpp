// Proof per script: every relay trick fails on the lab gateway with exactly its hole, passes on
// the closed gateway, and no other script is confused by that hole.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "relaytests/script_library.hpp"
#include "support/lab_audit.hpp"

namespace relayaudit {
namespace {

using testing::fast_audit_options;
using testing::only_endpoint;
using testing::run_lab_audit;
using testing::test_named;

std::set<std::string> failed_scripts(const EndpointResult& endpoint) {
  std::set<std::string> failed;
  for (const auto& test : endpoint.tests) {
    if (test.verdict == TestVerdict::fail) failed.insert(test.id);
  }
  return failed;
}

TEST(HoleProfiles, EachHoleIsCaughtByExactlyItsScripts) {
  std::set<std::string> proven;
  for (LabProfile profile : hole_profiles()) {
    SCOPED_TRACE(std::string(to_string(profile)));
    AuditOptions options = fast_audit_options();
    // Its holes are at the domain it relays for: the "-domain" scripts run where it is named.
    if (profile == LabProfile::hole_routed_at_domain) options.mail_domain = "corp.relayaudit.test";
    const auto run = run_lab_audit({LabGatewayConfig{profile, "127.0.0.1", 0}}, options);
    const EndpointResult& endpoint = only_endpoint(run);
    std::set<std::string> expected;
    for (auto id : expected_failing_scripts(profile)) expected.insert(std::string(id));
    EXPECT_EQ(failed_scripts(endpoint), expected);
    EXPECT_EQ(endpoint.verdict, EndpointVerdict::open_relay) << endpoint.verdict_reason;
    EXPECT_EQ(test_named(endpoint, "control-postmaster").verdict, TestVerdict::pass);
    EXPECT_EQ(run.stats.data_commands, 0u);
    proven.insert(expected.begin(), expected.end());
  }
  // Every relay script in the library is proven by some hole, except those only `open` proves.
  for (const auto& script : builtin_scripts()) {
    if (script.kind != ScriptKind::relay || script.trick == ScriptTrick::baseline) continue;
    EXPECT_TRUE(proven.count(script.id) == 1) << script.id << " has no lab hole proving it";
  }
}

TEST(HoleProfiles, ClosedGatewayPassesTheWholeLibrary) {
  const auto run =
      run_lab_audit({LabGatewayConfig{LabProfile::closed, "127.0.0.1", 0}}, fast_audit_options());
  const EndpointResult& endpoint = only_endpoint(run);
  EXPECT_EQ(endpoint.verdict, EndpointVerdict::closed) << endpoint.verdict_reason;
  EXPECT_TRUE(failed_scripts(endpoint).empty());
  EXPECT_GE(endpoint.tests.size(), 30u);
  for (const auto& test : endpoint.tests) {
    if (test.kind == ScriptKind::control) {
      EXPECT_EQ(test.verdict, TestVerdict::pass) << test.id;
    } else {
      EXPECT_EQ(test.verdict, TestVerdict::pass) << test.id << " " << to_string(test.outcome);
    }
  }
  EXPECT_TRUE(endpoint.findings.empty());
  // Relay refusals are recognised as such, next to the code.
  EXPECT_EQ(test_named(endpoint, "relay-external-sender").refusal, "relay-denied");
  EXPECT_EQ(test_named(endpoint, "probe-unknown-local-recipient").refusal, "unknown-user");
}

// The "-domain" variants run only where a mail domain is known; the host name never stands in.
TEST(HoleProfiles, DomainVariantsRunOnlyWhereTheMailDomainIsKnown) {
  const auto is_domain_variant = [](const TestResult& test) {
    return test.id.ends_with("-domain") && test.id != "relay-percent-null-domain" &&
           test.id != "relay-double-at-null-domain";
  };
  const LabGatewayConfig gateway{LabProfile::hole_routed_at_domain, "127.0.0.1", 0};
  const auto unnamed = run_lab_audit({gateway}, fast_audit_options());
  const EndpointResult& closed = only_endpoint(unnamed);
  EXPECT_EQ(closed.verdict, EndpointVerdict::closed) << closed.verdict_reason;
  EXPECT_TRUE(std::none_of(closed.tests.begin(), closed.tests.end(), is_domain_variant));

  AuditOptions options = fast_audit_options();
  options.mail_domain = "corp.relayaudit.test";
  const auto named = run_lab_audit({gateway}, options);
  const EndpointResult& open = only_endpoint(named);
  EXPECT_EQ(open.verdict, EndpointVerdict::open_relay) << open.verdict_reason;
  std::set<std::string> domain_variants;
  for (const auto& test : open.tests) {
    if (!is_domain_variant(test)) continue;
    domain_variants.insert(test.id);
    ASSERT_FALSE(test.rcpt_to.empty());
    EXPECT_TRUE(test.rcpt_to.back().find("corp.relayaudit.test") != std::string::npos)
        << test.rcpt_to.back();
  }
  EXPECT_EQ(domain_variants, failed_scripts(open));
  EXPECT_EQ(domain_variants.size(), 5u);
}

TEST(HoleProfiles, PlainOpenRelayIsDirectEvidenceAndASuspectedSink) {
  const auto run =
      run_lab_audit({LabGatewayConfig{LabProfile::open, "127.0.0.1", 0}}, fast_audit_options());
  const EndpointResult& endpoint = only_endpoint(run);
  ASSERT_TRUE(endpoint.evidence.has_value());
  EXPECT_EQ(endpoint.evidence->strength, "direct");
  EXPECT_TRUE(endpoint.evidence->sink_suspected);
  ASSERT_EQ(endpoint.findings.size(), 2u);
}

TEST(HoleProfiles, AddressFormHoleIsLabelledAddressFormEvidence) {
  const auto run = run_lab_audit({LabGatewayConfig{LabProfile::hole_bang_path_ip, "127.0.0.1", 0}},
                                 fast_audit_options());
  const EndpointResult& endpoint = only_endpoint(run);
  ASSERT_TRUE(endpoint.evidence.has_value());
  EXPECT_EQ(endpoint.evidence->strength, "address-form");
  EXPECT_FALSE(endpoint.evidence->sink_suspected);
}

TEST(HoleProfiles, RefusedSenderFallsBackAndStillFindsTheRecipientTrick) {
  const auto run =
      run_lab_audit({LabGatewayConfig{LabProfile::hole_percent_hack_sender_check, "127.0.0.1", 0}},
                    fast_audit_options());
  const EndpointResult& endpoint = only_endpoint(run);
  EXPECT_EQ(endpoint.verdict, EndpointVerdict::open_relay);
  const TestResult& percent = test_named(endpoint, "relay-percent-hack-ip");
  EXPECT_EQ(percent.outcome, Outcome::accepted);
  EXPECT_EQ(percent.mail_from, "") << "the null sender is the one the server accepts";
  ASSERT_EQ(percent.refused_senders.size(), 1u);
  EXPECT_EQ(percent.refused_senders[0].sender, "relayaudit-sender@relayaudit-external.invalid");
  EXPECT_EQ(percent.refused_senders[0].reply.code, 553);
  EXPECT_NE(percent.detail.find("was refused"), std::string::npos);
  // A forged sender refused at MAIL FROM is the trick refused: rejected, not inconclusive.
  const TestResult& localhost = test_named(endpoint, "relay-localhost-sender");
  EXPECT_EQ(localhost.outcome, Outcome::rejected);
  EXPECT_EQ(localhost.stage, Stage::mail);
  EXPECT_EQ(localhost.verdict, TestVerdict::pass);
}

TEST(HoleProfiles, SubmissionScriptRunsOnlyOnSubmissionPorts) {
  LabGatewayConfig submission{LabProfile::open, "127.0.0.2", 587};
  testing::LabAuditRun run;
  try {
    run = run_lab_audit({submission, LabGatewayConfig{LabProfile::open, "127.0.0.1", 0}},
                        fast_audit_options());
  } catch (const std::exception& error) {
    GTEST_SKIP() << "cannot bind 127.0.0.2:587 here: " << error.what();
  }
  ASSERT_EQ(run.result.endpoints.size(), 2u);
  const auto has_submission_test = [](const EndpointResult& endpoint) {
    return std::any_of(endpoint.tests.begin(), endpoint.tests.end(), [](const TestResult& test) {
      return test.id == "relay-submission-no-auth";
    });
  };
  EXPECT_TRUE(has_submission_test(run.result.endpoints[0]));
  EXPECT_EQ(test_named(run.result.endpoints[0], "relay-submission-no-auth").verdict,
            TestVerdict::fail);
  EXPECT_FALSE(has_submission_test(run.result.endpoints[1]));
}

TEST(HoleProfiles, ConfirmDataHangsUpOn354AndFinishesThePlan) {
  AuditOptions options = fast_audit_options();
  options.confirm_data = true;
  const auto run = run_lab_audit({LabGatewayConfig{LabProfile::open, "127.0.0.1", 0}}, options);
  const EndpointResult& endpoint = only_endpoint(run);
  EXPECT_EQ(endpoint.verdict, EndpointVerdict::open_relay);
  int confirmed = 0;
  for (const auto& test : endpoint.tests) {
    if (test.kind != ScriptKind::relay || test.outcome != Outcome::accepted) continue;
    ASSERT_TRUE(test.data_reply.has_value()) << test.id;
    EXPECT_EQ(test.data_reply->code, 354) << test.id;
    ++confirmed;
  }
  EXPECT_GT(confirmed, 0);
  EXPECT_EQ(run.stats.data_commands, static_cast<std::uint64_t>(confirmed));
  EXPECT_EQ(run.stats.messages_queued, 0u) << "no content may ever follow DATA";
  EXPECT_TRUE(run.loop_closed_cleanly);
}

}  // namespace
}  // namespace relayaudit
