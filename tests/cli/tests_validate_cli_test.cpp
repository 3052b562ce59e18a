// `relayaudit tests validate DIR_OR_FILE`: every error of every file, each naming file and field.
#include <gtest/gtest.h>

#include <filesystem>

#include "support/process.hpp"
#include "support/relayaudit_binary.hpp"
#include "support/temp_dir.hpp"

namespace relayaudit {
namespace {

using testing::kBinary;
using testing::run_command;
using testing::TempDir;

// Four mistakes in one script: an unknown field, a missing one, a bad enum value and an unknown
// placeholder in the second recipient.
constexpr const char* kScriptWithFourErrors = R"({
  "id": "user-many-errors", "kind": "relay", "trick": "recipient",
  "description": "d", "severity": "urgent", "mail_from": "{ext_from}",
  "rcpt_to": ["{ext_to}", "{nope}"], "expect": "reject", "expects": "reject"
})";

std::size_t error_lines_in(const std::string& err) {
  std::size_t count = 0;
  for (std::size_t at = err.find("relayaudit: "); at != std::string::npos;
       at = err.find("relayaudit: ", at + 1)) {
    ++count;
  }
  return count;
}

TEST(TestsValidateCli, EveryErrorInAFileIsNamedWithItsField) {
  TempDir dir;
  std::filesystem::create_directory(dir.path() / "scripts");
  const auto file = dir.write("scripts/many.json", kScriptWithFourErrors).string();
  const auto run = run_command({kBinary, "tests", "validate", (dir.path() / "scripts").string()});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find(file + ": /expects: unknown field 'expects'"), std::string::npos)
      << run.err;
  EXPECT_NE(run.err.find(file + ": /title: missing required field 'title'"), std::string::npos)
      << run.err;
  EXPECT_NE(run.err.find(file + ": /severity: must be one of"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find(file + ": /rcpt_to/1: "), std::string::npos) << run.err;
  EXPECT_EQ(run.err.find(file + ": /rcpt_to/0"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("4 error(s) in"), std::string::npos) << run.err;
  EXPECT_EQ(error_lines_in(run.err), 5u) << run.err;  // four errors and the count
}

TEST(TestsValidateCli, OneFileCanBeValidatedOnItsOwn) {
  TempDir dir;
  const auto bad = dir.write("many.json", kScriptWithFourErrors).string();
  auto run = run_command({kBinary, "tests", "validate", bad});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find(bad + ": /severity: "), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("4 error(s) in " + bad), std::string::npos) << run.err;

  const std::string good =
      std::string(RELAYAUDIT_SOURCE_DIR) + "/examples/scripts/example-user-script.json";
  run = run_command({kBinary, "tests", "validate", good});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.out.find(good + ": 1 script(s) valid"), std::string::npos) << run.out;

  run = run_command({kBinary, "tests", "validate", (dir.path() / "absent.json").string()});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("absent.json: cannot read"), std::string::npos) << run.err;
}

TEST(TestsValidateCli, ScanTestsDirReportsEveryErrorToo) {
  TempDir dir;
  std::filesystem::create_directory(dir.path() / "scripts");
  const auto file = dir.write("scripts/many.json", kScriptWithFourErrors).string();
  const auto run = run_command(
      {kBinary, "scan", "127.0.0.1:1", "--tests-dir", (dir.path() / "scripts").string()});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find(file + ": /title: "), std::string::npos) << run.err;
  EXPECT_NE(run.err.find(file + ": /rcpt_to/1: "), std::string::npos) << run.err;
}

}  // namespace
}  // namespace relayaudit
