// Runs xmllint, python3-jsonschema and cmark-gfm on report text written to a temporary file.
#include "support/report_validators.hpp"

#include <filesystem>

#include "support/process.hpp"
#include "support/temp_dir.hpp"

namespace relayaudit::testing {
namespace {

const std::string kSourceDir = RELAYAUDIT_SOURCE_DIR;

// Debian's python3-jsonschema lives with /usr/bin/python3; a pyenv or venv python3 earlier on
// PATH may lack it.
std::string python() {
  return std::filesystem::exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
}

// Validates with the validator the schema declares in "$schema" (draft-04 for SARIF, 2020-12
// for the results), after checking the schema itself.
std::string json_schema_errors(const std::string& schema, const std::string& document,
                               const std::string& label) {
  TempDir dir;
  const auto file = dir.write("document.json", document);
  const auto run =
      run_command({python(), "-c",
                   "import json, sys, jsonschema\n"
                   "schema = json.load(open(sys.argv[1]))\n"
                   "validator = jsonschema.validators.validator_for(schema)\n"
                   "validator.check_schema(schema)\n"
                   "errors = list(validator(schema).iter_errors(json.load(open(sys.argv[2]))))\n"
                   "for e in errors[:20]: print(sys.argv[3] + ':', list(e.absolute_path), "
                   "e.message[:300])\n"
                   "sys.exit(1 if errors else 0)\n",
                   schema, file.string(), label});
  return run.succeeded() ? "" : run.describe() + "\n" + run.out + run.err;
}

}  // namespace

bool xmllint_available() {
  return run_command({"xmllint", "--version"}).succeeded();
}

bool jsonschema_available() {
  return run_command({python(), "-c", "import jsonschema; jsonschema.Draft202012Validator"})
      .succeeded();
}

bool cmark_available() {
  return run_command({"cmark-gfm", "--version"}).succeeded();
}

std::string junit_schema_errors(const std::string& xml) {
  TempDir dir;
  const auto file = dir.write("junit.xml", xml);
  const auto run = run_command({"xmllint", "--noout", "--schema",
                                kSourceDir + "/tests/reports/schemas/junit.xsd", file.string()});
  return run.succeeded() ? "" : run.describe() + "\n" + run.err;
}

std::string sarif_schema_errors(const std::string& sarif) {
  return json_schema_errors(kSourceDir + "/tests/reports/schemas/sarif-2.1.0-rtm.5.json", sarif,
                            "sarif");
}

std::string results_schema_errors(const std::string& results) {
  return json_schema_errors(kSourceDir + "/reports/results.schema.json", results, "schema");
}

std::string render_with_cmark(const std::string& markdown) {
  TempDir dir;
  const auto file = dir.write("summary.md", markdown);
  const auto run = run_command({"cmark-gfm", "--unsafe", "-e", "table", "-e", "autolink", "-e",
                                "strikethrough", file.string()});
  EXPECT_TRUE(run.succeeded()) << run.describe() << run.err;
  return run.out;
}

}  // namespace relayaudit::testing
