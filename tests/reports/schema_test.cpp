// The results document validates against reports/results.schema.json (via python3-jsonschema).
#include "reports/results_json.hpp"

#include <gtest/gtest.h>

#include "support/report_validators.hpp"
#include "support/sample_scan.hpp"

namespace relayaudit {
namespace {

// "" when valid; the strict dump also proves every string in the document is valid UTF-8.
std::string schema_errors(const nlohmann::json& document) {
  return testing::results_schema_errors(
      document.dump(2, ' ', false, nlohmann::json::error_handler_t::strict));
}

class ResultsSchema : public ::testing::Test {
 protected:
  void SetUp() override { REQUIRE_JSONSCHEMA(); }
};

TEST_F(ResultsSchema, SampleScanValidates) {
  EXPECT_EQ(schema_errors(results_to_json(testing::make_sample_scan())), "");
}

TEST_F(ResultsSchema, RunBlockValidates) {
  const RunProvenance run = testing::make_sample_run();
  EXPECT_EQ(schema_errors(results_to_json(testing::make_sample_scan(), &run)), "");
  const RunProvenance unknown;  // no user, host or directory: nulls
  EXPECT_EQ(schema_errors(results_to_json(ScanResult{}, &unknown)), "");
  nlohmann::json bad_hash = results_to_json(testing::make_sample_scan(), &run);
  bad_hash["scripts"]["control-postmaster"]["sha256"] = "not-a-hash";
  EXPECT_NE(schema_errors(bad_hash), "");
}

TEST_F(ResultsSchema, EmptyScanValidates) {
  EXPECT_EQ(schema_errors(results_to_json(ScanResult{})), "");
}

TEST_F(ResultsSchema, BrokenDocumentsAreRejected) {
  // Proves the validator really runs: each change must be caught.
  nlohmann::json document = results_to_json(testing::make_sample_scan());
  nlohmann::json bad_verdict = document;
  bad_verdict["endpoints"][0]["verdict"] = "maybe";
  EXPECT_NE(schema_errors(bad_verdict), "");
  nlohmann::json extra_field = document;
  extra_field["endpoints"][0]["tests"][0]["surprise"] = 1;
  EXPECT_NE(schema_errors(extra_field), "");
  nlohmann::json missing = document;
  missing["summary"].erase("unresolved");
  EXPECT_NE(schema_errors(missing), "");
}

}  // namespace
}  // namespace relayaudit
