// A server of 60 KB replies against the per-endpoint transcript cap: bounded output, same verdict.
#include <gtest/gtest.h>

#include <string>

#include "reports/results_json.hpp"
#include "support/lab_audit.hpp"

namespace relayaudit {
namespace {

using testing::fast_audit_options;
using testing::only_endpoint;
using testing::run_lab_audit;

std::size_t transcript_bytes(const Transcript& transcript) {
  std::size_t bytes = 0;
  for (const auto& line : transcript) bytes += line.line.size();
  return bytes;
}

std::size_t reply_bytes(const Reply& reply) {
  std::size_t bytes = 0;
  for (const auto& line : reply.lines) bytes += line.size();
  return bytes;
}

TEST(TranscriptCap, BulkyRepliesAreCutButTheVerdictStaysClosed) {
  const AuditOptions options = fast_audit_options();
  const auto run = run_lab_audit({LabGatewayConfig{LabProfile::bulky_replies, "127.0.0.1", 0}},
                                 options, {}, {}, 64, builtin_scripts());
  ASSERT_TRUE(run.loop_closed_cleanly);
  const EndpointResult& endpoint = only_endpoint(run);
  EXPECT_EQ(endpoint.verdict, EndpointVerdict::closed) << endpoint.verdict_reason;
  for (const TestResult& test : endpoint.tests) {
    if (test.kind != ScriptKind::relay) continue;
    EXPECT_EQ(test.outcome, Outcome::rejected) << test.id;
    ASSERT_TRUE(test.reply.has_value()) << test.id;
    // Judged on the whole reply: the code and enhanced code are those of its last line.
    EXPECT_EQ(test.reply->code, 554) << test.id;
    EXPECT_LE(reply_bytes(*test.reply), options.reply_cap + 80) << test.id;
  }
  // The whole dialogue was several MB; the endpoint keeps its cap plus short line heads.
  const std::size_t kept = transcript_bytes(endpoint.transcript);
  EXPECT_GT(kept, options.transcript_cap / 2);
  EXPECT_LT(kept, options.transcript_cap + 200 * 1024) << kept;
  bool noted = false;
  for (const auto& line : endpoint.transcript) {
    noted = noted || (line.direction == Direction::note &&
                      line.line.find("transcript cap") != std::string::npos);
  }
  EXPECT_TRUE(noted) << "a cut line must say that it was cut";
  // Commands stay whole after the cap: the transcript still shows what was sent.
  int quits = 0;
  for (const auto& line : endpoint.transcript) {
    if (line.direction != Direction::client) continue;
    EXPECT_LT(line.line.size(), TranscriptBudget::kLineHead) << line.line;
    quits += line.line == "QUIT" ? 1 : 0;
  }
  EXPECT_EQ(quits, endpoint.connections);
  const std::string json = endpoint_to_json(endpoint).dump();
  EXPECT_LT(json.size(), 1024u * 1024u) << "results JSON per endpoint must stay bounded";
}

TEST(TranscriptCap, TheCapChangesNoOutcome) {
  AuditOptions small = fast_audit_options();
  small.transcript_cap = 2048;
  AuditOptions whole = fast_audit_options();
  whole.transcript_cap = std::size_t{64} << 20;
  const LabGatewayConfig bulky{LabProfile::bulky_replies, "127.0.0.1", 0};
  const auto capped = run_lab_audit({bulky}, small, {}, {}, 64, builtin_scripts());
  const auto uncut = run_lab_audit({bulky}, whole, {}, {}, 64, builtin_scripts());
  const EndpointResult& a = only_endpoint(capped);
  const EndpointResult& b = only_endpoint(uncut);
  EXPECT_EQ(a.verdict, b.verdict);
  EXPECT_EQ(a.verdict_reason, b.verdict_reason);
  ASSERT_EQ(a.tests.size(), b.tests.size());
  for (std::size_t i = 0; i < a.tests.size(); ++i) {
    EXPECT_EQ(a.tests[i].outcome, b.tests[i].outcome) << a.tests[i].id;
    EXPECT_EQ(a.tests[i].verdict, b.tests[i].verdict) << a.tests[i].id;
    EXPECT_EQ(a.tests[i].refusal, b.tests[i].refusal) << a.tests[i].id;
  }
  // Uncut, the dialogue is several MB; every server line of it is kept.
  EXPECT_GT(transcript_bytes(b.transcript), std::size_t{2} << 20);
  EXPECT_LT(transcript_bytes(a.transcript), transcript_bytes(b.transcript) / 10);
}

}  // namespace
}  // namespace relayaudit
