// No unproven open relay: a catch-all that accepts routed address forms as mailbox names is
// inconclusive with the finding relay-unconfirmed; a plain external recipient accepted is still
// open-relay at once.
#include <gtest/gtest.h>

#include <algorithm>

#include "results/finding_ids.hpp"
#include "support/lab_audit.hpp"

namespace relayaudit {
namespace {

using testing::fast_audit_options;
using testing::only_endpoint;
using testing::run_lab_audit;

bool has_tag(const TestResult& test, const char* tag) {
  return std::find(test.tags.begin(), test.tags.end(), tag) != test.tags.end();
}

TEST(WeakEvidence, ACatchAllThatTakesAddressFormsIsInconclusiveNotOpen) {
  const auto run = run_lab_audit({LabGatewayConfig{LabProfile::catch_all, "127.0.0.1", 0}},
                                 fast_audit_options());
  ASSERT_TRUE(run.loop_closed_cleanly);
  const EndpointResult& endpoint = only_endpoint(run);
  EXPECT_EQ(endpoint.verdict, EndpointVerdict::inconclusive) << endpoint.verdict_reason;
  ASSERT_TRUE(endpoint.evidence.has_value());
  EXPECT_EQ(endpoint.evidence->strength, "weak");
  // What was accepted: address forms only, never a plain external recipient.
  int accepted_forms = 0;
  for (const TestResult& test : endpoint.tests) {
    if (test.kind != ScriptKind::relay || test.verdict != TestVerdict::fail) continue;
    EXPECT_TRUE(has_tag(test, "address-form")) << test.id;
    ++accepted_forms;
  }
  EXPECT_GE(accepted_forms, 3);
  const auto finding =
      std::find_if(endpoint.findings.begin(), endpoint.findings.end(),
                   [](const Finding& f) { return f.id == kFindingRelayUnconfirmed; });
  ASSERT_NE(finding, endpoint.findings.end());
  EXPECT_EQ(finding->severity, "high");
  EXPECT_NE(finding->message.find("accepts any local part"), std::string::npos) << finding->message;
  EXPECT_NE(endpoint.verdict_reason.find("not proven to relay"), std::string::npos)
      << endpoint.verdict_reason;
}

TEST(WeakEvidence, APlainExternalRecipientAcceptedIsStillAnOpenRelay) {
  const auto run =
      run_lab_audit({LabGatewayConfig{LabProfile::open, "127.0.0.1", 0}}, fast_audit_options());
  const EndpointResult& endpoint = only_endpoint(run);
  EXPECT_EQ(endpoint.verdict, EndpointVerdict::open_relay) << endpoint.verdict_reason;
  ASSERT_TRUE(endpoint.evidence.has_value());
  EXPECT_EQ(endpoint.evidence->strength, "direct");
  EXPECT_TRUE(std::none_of(endpoint.findings.begin(), endpoint.findings.end(),
                           [](const Finding& f) { return f.id == kFindingRelayUnconfirmed; }));
}

}  // namespace
}  // namespace relayaudit
