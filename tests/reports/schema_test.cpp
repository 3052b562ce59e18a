// The results document validates against reports/results.schema.json (via python3-jsonschema).
#include "reports/results_json.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include "reports/sample_scan.hpp"

namespace relayaudit {
namespace {

namespace fs = std::filesystem;

// No C++ JSON Schema validator is packaged for us; python3-jsonschema (Debian) or the
// `jsonschema` pip package implements draft 2020-12 and is a common CI install.
bool python_jsonschema_available() {
  return std::system(
             "python3 -c 'import jsonschema; jsonschema.Draft202012Validator' "
             ">/dev/null 2>&1") == 0;
}

// Exit status of validating `document` against the schema: 0 valid, 1 invalid.
int validate(const nlohmann::json& document, const std::string& tag) {
  const fs::path file = fs::temp_directory_path() /
                        ("relayaudit-schema-" + std::to_string(::getpid()) + "-" + tag + ".json");
  std::ofstream(file) << document.dump(2, ' ', false, nlohmann::json::error_handler_t::strict);
  const std::string schema = std::string(RELAYAUDIT_SOURCE_DIR) + "/reports/results.schema.json";
  const std::string command =
      "python3 -c '"
      "import json, sys, jsonschema\n"
      "schema = json.load(open(sys.argv[1]))\n"
      "jsonschema.Draft202012Validator.check_schema(schema)\n"
      "errors = "
      "list(jsonschema.Draft202012Validator(schema).iter_errors(json.load(open(sys.argv[2]))))\n"
      "[print(\"schema:\", list(e.absolute_path), e.message, file=sys.stderr) for e in errors]\n"
      "sys.exit(1 if errors else 0)' '" +
      schema + "' '" + file.string() + "'";
  const int raw = std::system(command.c_str());
  fs::remove(file);
  return WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
}

class ResultsSchema : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!python_jsonschema_available()) {
      GTEST_SKIP() << "python3 jsonschema not installed (apt-get install python3-jsonschema)";
    }
  }
};

TEST_F(ResultsSchema, SampleScanValidates) {
  EXPECT_EQ(validate(results_to_json(testing::make_sample_scan()), "sample"), 0);
}

TEST_F(ResultsSchema, EmptyScanValidates) {
  EXPECT_EQ(validate(results_to_json(ScanResult{}), "empty"), 0);
}

TEST_F(ResultsSchema, BrokenDocumentsAreRejected) {
  // Proves the validator really runs: each change must be caught.
  nlohmann::json document = results_to_json(testing::make_sample_scan());
  nlohmann::json bad_verdict = document;
  bad_verdict["endpoints"][0]["verdict"] = "maybe";
  EXPECT_EQ(validate(bad_verdict, "verdict"), 1);
  nlohmann::json extra_field = document;
  extra_field["endpoints"][0]["tests"][0]["surprise"] = 1;
  EXPECT_EQ(validate(extra_field, "extra"), 1);
  nlohmann::json missing = document;
  missing["summary"].erase("unresolved");
  EXPECT_EQ(validate(missing, "missing"), 1);
}

}  // namespace
}  // namespace relayaudit
