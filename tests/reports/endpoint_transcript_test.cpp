// Results 2.0 of real lab audits (whole library): the endpoint transcript holds every line the
// audit recorded, once, and each test's ranges name exactly its own lines.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "reports/document_view.hpp"
#include "reports/endpoint_json.hpp"
#include "support/lab_audit.hpp"

namespace relayaudit {
namespace {

using nlohmann::json;

// [t_ms, session, dir, line] of a line as the document writes it (lab lines are clean UTF-8).
json tuple_of(const TranscriptLine& line) {
  return json::array({line.at_ms, line.session, direction_name(line.direction), line.line});
}

std::vector<json> tuples(const std::vector<const json*>& lines) {
  std::vector<json> out;
  for (const json* line : lines) out.push_back(*line);
  return out;
}

class EndpointTranscript : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // Pipelined batches, an out-of-step reply stream (notes only its tests hold), a server
    // that drops mid-plan (retries), binary replies (escaped lines) and the TLS path.
    const std::vector<LabProfile> profiles = {
        LabProfile::closed,        LabProfile::open,        LabProfile::extra_reply_mid_batch,
        LabProfile::drop_mid_plan, LabProfile::greylisting, LabProfile::starttls_offered};
    std::vector<LabGatewayConfig> gateways;
    for (LabProfile profile : profiles) gateways.push_back({profile, "127.0.0.1", 0});
    AuditOptions options = testing::fast_audit_options();
    options.session.tls_context = &testing::tls_client_context();
    run_ = new testing::LabAuditRun(testing::run_lab_audit(gateways, options));
  }
  static void TearDownTestSuite() { delete run_; }
  static testing::LabAuditRun* run_;
};

testing::LabAuditRun* EndpointTranscript::run_ = nullptr;

TEST_F(EndpointTranscript, EveryRecordedLineIsWrittenOnce) {
  ASSERT_EQ(run_->result.endpoints.size(), 6u);
  for (const EndpointResult& endpoint : run_->result.endpoints) {
    SCOPED_TRACE(endpoint.endpoint.key());
    const json document = endpoint_to_json(endpoint);
    std::map<std::string, int> written;
    for (const json& line : document.at("transcript")) ++written[line.dump()];
    std::map<std::string, int> recorded;
    for (const TranscriptLine& line : endpoint.transcript) ++recorded[tuple_of(line).dump()];
    // Every endpoint line, as often as it was recorded; anything more is a line only tests held.
    for (const auto& [line, count] : recorded) EXPECT_EQ(written[line], count) << line;
    for (const TestResult& test : endpoint.tests) {
      for (const TranscriptLine& line : test.transcript) {
        EXPECT_GT(written[tuple_of(line).dump()], 0) << test.id << ": " << line.line;
      }
    }
  }
}

TEST_F(EndpointTranscript, EachTestsRangesNameItsOwnLinesInOrder) {
  int decisive_checked = 0;
  for (const EndpointResult& endpoint : run_->result.endpoints) {
    SCOPED_TRACE(endpoint.endpoint.key());
    const json document = endpoint_to_json(endpoint);
    ASSERT_EQ(document.at("tests").size(), endpoint.tests.size());
    for (std::size_t i = 0; i < endpoint.tests.size(); ++i) {
      const TestResult& test = endpoint.tests[i];
      const json& written = document.at("tests")[i];
      SCOPED_TRACE(test.id);
      for (const char* key : {"title", "tags", "kind", "severity", "transcript"}) {
        EXPECT_FALSE(written.contains(key)) << key;
      }
      std::vector<json> expected;
      for (const TranscriptLine& line : test.transcript) expected.push_back(tuple_of(line));
      EXPECT_EQ(tuples(test_lines(document, written)), expected);
      // The decisive RCPT TO this test sent is among its lines, in its own session.
      if (test.stage != Stage::rcpt || test.rcpt_to.empty() || test.transcript.empty()) continue;
      const std::string decisive = "RCPT TO:<" + test.rcpt_to.back() + ">";
      bool found = false;
      for (const json* line : test_lines(document, written)) {
        found = found || (line_direction(*line) == "C" && line_text(*line) == decisive);
      }
      EXPECT_TRUE(found) << decisive;
      ++decisive_checked;
    }
  }
  EXPECT_GT(decisive_checked, 100);
}

TEST_F(EndpointTranscript, NoTwoTestsClaimTheSameLineExceptSharedNotes) {
  for (const EndpointResult& endpoint : run_->result.endpoints) {
    SCOPED_TRACE(endpoint.endpoint.key());
    const json document = endpoint_to_json(endpoint);
    std::map<std::size_t, int> claims;
    for (const json& test : document.at("tests")) {
      for (const json& range : test.at("lines")) {
        for (std::size_t i = 0; i < range[1].get<std::size_t>(); ++i) {
          ++claims[range[0].get<std::size_t>() + i];
        }
      }
    }
    for (const auto& [index, count] : claims) {
      // A note every test of an out-of-step connection holds is written once, for all of them.
      if (count > 1) {
        EXPECT_EQ(line_direction(document.at("transcript")[index]), "*") << index;
      }
    }
  }
}

}  // namespace
}  // namespace relayaudit
