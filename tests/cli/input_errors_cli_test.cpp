// Issue 9: no input crashes relayaudit. Hostile or broken files end with exit 2 and a message
// naming the file and line (or JSON pointer), never with an abort.
#include <gtest/gtest.h>

#include <filesystem>

#include <nlohmann/json.hpp>

#include "input_error.hpp"
#include "support/process.hpp"
#include "support/relayaudit_binary.hpp"
#include "support/temp_dir.hpp"

namespace relayaudit {
namespace {

using testing::expect_input_error;
using testing::kBinary;
using testing::kInputError;
using testing::run_command;
using testing::TempDir;

TEST(InputErrors, OutOfRangeNumbersInRelayScriptsNameFileAndLine) {
  TempDir dir;
  std::filesystem::create_directory(dir.path() / "scripts");
  const auto script = dir.write("scripts/big.json", "{\n  \"id\": 1e999\n}\n").string();
  expect_input_error(run_command({kBinary, "tests", "validate", (dir.path() / "scripts").string()}),
                     script + ":2: ");
  expect_input_error(run_command({kBinary, "scan", "127.0.0.1:1", "--tests-dir",
                                  (dir.path() / "scripts").string()}),
                     script + ":2: ");
}

TEST(InputErrors, OutOfRangeNumbersInResultsNameFileAndLine) {
  TempDir dir;
  const auto results =
      dir.write("x.json", "{\"schema_version\": \"1.1\",\n \"endpoints\": [1e999]}").string();
  expect_input_error(
      run_command({kBinary, "report", results, "--html", (dir.path() / "out.html").string()}),
      results + ":2:");
  expect_input_error(run_command({kBinary, "diff", results, results}), results + ":2:");
  EXPECT_FALSE(std::filesystem::exists(dir.path() / "out.html"));
}

TEST(InputErrors, ResultsOfTheWrongShapeAreInputErrorsNotCrashes) {
  TempDir dir;
  // Valid JSON in places a reader expects something else, and nesting past any real document.
  const std::vector<std::string> documents = {
      "42",
      "[1, 2, 3]",
      R"({"schema_version": "1.1", "summary": {"verdict": 5}, "endpoints": 7})",
      R"({"schema_version": "1.1", "endpoints": [{"endpoint": 5}]})",
      R"({"schema_version": 1.5})",
      R"({"schema_version": "1.1", "duration_ms": 1e300, "endpoints": []})",
      "{\"schema_version\": \"1.1\", \"x\": " + std::string(10000, '[') + std::string(10000, ']') +
          "}",
  };
  for (std::size_t i = 0; i < documents.size(); ++i) {
    SCOPED_TRACE(documents[i].substr(0, 80));
    const auto file = dir.write("doc-" + std::to_string(i) + ".json", documents[i]).string();
    expect_input_error(
        run_command({kBinary, "report", file, "--markdown", (dir.path() / "m.md").string()}),
        file + ":");
    expect_input_error(run_command({kBinary, "diff", file, file}), file + ":");
  }
}

TEST(InputErrors, ControlBytesInInputAreEscapedInMessages) {
  TempDir dir;
  const std::string esc = "\x1b[31m";
  const std::vector<std::vector<std::string>> commands = {
      {kBinary, "scan", esc + "red"},
      {kBinary, "scan", "-f", (dir.path() / (esc + "missing.txt")).string()},
      {kBinary, "scan", "--external-from", esc + "x", "127.0.0.1:1"},
      {kBinary, "scan", "--connect-timeout", esc, "127.0.0.1:1"},
      {kBinary, "scan", "--port", esc, "127.0.0.1:1"},
      {kBinary, "scan", "--ehlo-name", "a" + esc, "127.0.0.1:1"},
      {kBinary, "report", (dir.path() / (esc + "r.json")).string(), "--html", "x.html"},
      {kBinary, "diff", (dir.path() / (esc + "a.json")).string(), "b.json"},
      {kBinary, "tests", "show", esc},
  };
  for (const auto& command : commands) {
    SCOPED_TRACE(command[2]);
    const auto run = run_command(command);
    EXPECT_EQ(run.exit_code, kInputError) << run.err;
    EXPECT_EQ(run.err.find('\x1b'), std::string::npos) << "a live ESC reached the terminal";
    EXPECT_NE(run.err.find("\\x1b[31m"), std::string::npos) << run.err;
  }
  // A script field, echoed by `tests validate`.
  std::filesystem::create_directory(dir.path() / "scripts");
  dir.write("scripts/x.json", "{\"" + esc + "\": 1}");
  const auto run = run_command({kBinary, "tests", "validate", (dir.path() / "scripts").string()});
  EXPECT_EQ(run.exit_code, kInputError);
  EXPECT_EQ(run.err.find('\x1b'), std::string::npos) << run.err;
}

TEST(InputErrors, EhloNameFollowsRfc5321) {
  for (const std::string& name : {std::string(256, 'a'), std::string(), std::string("a b"),
                                  std::string("a\tb"), std::string("a\x01")}) {
    const auto run = run_command({kBinary, "scan", "--ehlo-name", name, "127.0.0.1:1"});
    EXPECT_EQ(run.exit_code, kInputError) << name.size() << ": " << run.err;
    EXPECT_NE(run.err.find("--ehlo-name"), std::string::npos) << run.err;
  }
  // 255 octets is the limit, not past it: the scan runs (and finds the port closed: exit 3,
  // since an unreachable endpoint proves nothing).
  const auto longest = run_command({kBinary, "scan", "-q", "--ehlo-name", std::string(255, 'a'),
                                    "127.0.0.1:1", "--tests", "relay-null-sender"});
  EXPECT_EQ(longest.exit_code, 3) << longest.err;
}

TEST(InputErrors, ThousandsOfBadTargetsPrintAHundredErrorsAndACount) {
  TempDir dir;
  std::string lines;
  for (int i = 0; i < 5000; ++i) lines += "bad target " + std::to_string(i) + "\n";
  const auto file = dir.write("bad.txt", lines).string();
  const auto run = run_command({kBinary, "scan", "-f", file});
  EXPECT_EQ(run.exit_code, kInputError);
  EXPECT_NE(run.err.find(file + ":1: "), std::string::npos) << run.err.substr(0, 300);
  EXPECT_NE(run.err.find(file + ":100: "), std::string::npos);
  EXPECT_EQ(run.err.find(file + ":101: "), std::string::npos) << "only the first 100";
  EXPECT_NE(run.err.find("and 4900 more errors not shown"), std::string::npos)
      << testing::last_lines(run.err, 3);
  EXPECT_NE(run.err.find("5000 bad target(s)"), std::string::npos);
  EXPECT_LT(std::count(run.err.begin(), run.err.end(), '\n'), 105);
}

}  // namespace
}  // namespace relayaudit
