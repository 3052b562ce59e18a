// Bounded inputs: --config, --tests-dir and -f files are capped in size, nesting and line length,
// and only files that can be read to the end are read; each limit is exit 2 naming the file.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "input_error.hpp"
#include "support/process.hpp"
#include "support/relayaudit_binary.hpp"
#include "support/temp_dir.hpp"

namespace relayaudit {
namespace {

using testing::CommandResult;
using testing::kBinary;
using testing::run_command;
using testing::TempDir;

// A hang is a failure here, not a stuck test run.
constexpr std::chrono::seconds kLimit(30);

// Not hung (killed at kLimit), then refused as any input error is.
void expect_input_error_in_time(const CommandResult& run, const std::string& where) {
  EXPECT_FALSE(run.timed_out) << "hung";
  testing::expect_input_error(run, where);
}

TEST(InputLimits, DeeplyNestedConfigIsRefusedBeforeParsing) {
  TempDir dir;
  // 200 KB of nested arrays made CLI11 die of bad_alloc; 33 levels are already refused.
  const auto deep = dir.write("deep.toml", "[scan]\n\ndnsbl = " + std::string(100000, '[') +
                                               std::string(100000, ']') + "\n")
                        .string();
  expect_input_error_in_time(
      run_command({kBinary, "scan", "--config", deep, "127.0.0.1:1"}, kLimit),
      deep + ":3: nesting deeper than 32");
  const auto just_past =
      dir.write("33.toml", "[scan]\ndnsbl = " + std::string(33, '[') + std::string(33, ']') + "\n")
          .string();
  expect_input_error_in_time(
      run_command({kBinary, "scan", "--config=" + just_past, "127.0.0.1:1"}, kLimit),
      just_past + ":2: ");
  // Brackets inside strings and comments are not nesting.
  const auto quoted = dir.write("quoted.toml", "[scan]\nehlo-name = \"" + std::string(40, '[') +
                                                   "\" # " + std::string(40, '{') + "\n")
                          .string();
  const auto run = run_command({kBinary, "scan", "--config", quoted, "127.0.0.1:1"}, kLimit);
  EXPECT_EQ(run.err.find("nesting"), std::string::npos) << run.err;
}

TEST(InputLimits, ConfigLargerThanOneMebibyteOrNotAFileIsRefused) {
  TempDir dir;
  const auto large =
      dir.write("large.toml", "[scan]\n" + std::string(1024 * 1024, '#') + "\n").string();
  expect_input_error_in_time(
      run_command({kBinary, "scan", "--config", large, "127.0.0.1:1"}, kLimit),
      large + ": cannot read: larger than the limit of 1 MiB");
  const auto fifo = (dir.path() / "fifo.toml").string();
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  expect_input_error_in_time(
      run_command({kBinary, "scan", "--config", fifo, "127.0.0.1:1"}, kLimit),
      fifo + ": cannot read: a FIFO, not a regular file");
}

TEST(InputLimits, ScriptDirectoryReadsOnlyRegularFilesOfBoundedSize) {
  TempDir dir;
  const auto scripts = dir.path() / "scripts";
  std::filesystem::create_directory(scripts);
  const auto fifo = (scripts / "fifo.json").string();
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  // A FIFO used to block the scan forever; it is an error naming it.
  expect_input_error_in_time(
      run_command({kBinary, "scan", "127.0.0.1:1", "--tests-dir", scripts.string()}, kLimit),
      fifo + ": cannot read: a FIFO, not a regular file");
  expect_input_error_in_time(run_command({kBinary, "tests", "validate", scripts.string()}, kLimit),
                             fifo);
  std::filesystem::remove(fifo);

  const auto huge =
      dir.write("scripts/huge.json", "{\"description\": \"" + std::string(300 * 1024, 'x') + "\"}")
          .string();
  expect_input_error_in_time(run_command({kBinary, "tests", "validate", scripts.string()}, kLimit),
                             huge + ": cannot read: larger than the limit of 256 KiB");
}

TEST(InputLimits, TargetFilesHaveBoundedLinesAndSize) {
  TempDir dir;
  // /dev/zero is one endless line: it stops at the line limit instead of reading 2 GB.
  expect_input_error_in_time(run_command({kBinary, "scan", "-f", "/dev/zero"}, kLimit),
                             "/dev/zero:1: line longer than 4096 bytes");
  const auto long_line =
      dir.write("long.txt", "127.0.0.1:1\n" + std::string(5000, 'a') + "\n").string();
  expect_input_error_in_time(run_command({kBinary, "scan", "-f", long_line}, kLimit),
                             long_line + ":2: line longer than 4096 bytes");
  const auto large = (dir.path() / "large.txt").string();
  {
    std::ofstream out(large, std::ios::binary);
    const std::string comments(1024 * 1024, '\n');
    for (int i = 0; i < 65; ++i) out << comments;
  }
  expect_input_error_in_time(
      run_command({kBinary, "scan", "-f", large}, kLimit),
      large + ":" + std::to_string(64 * 1024 * 1024 + 1) + ": the file is larger than 64 MiB");
}

}  // namespace
}  // namespace relayaudit
