// Every relayaudit command line in the README's shell blocks, run as written (scan lines with
// --dry-run, so documentation addresses are never contacted): a README line that no longer
// parses, or whose option swallows its targets, fails here.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "support/process.hpp"
#include "support/relayaudit_binary.hpp"
#include "support/temp_dir.hpp"

namespace relayaudit {
namespace {

namespace fs = std::filesystem;
using testing::kBinary;
using testing::run_command;

// The command lines inside ```sh blocks that start with "relayaudit ", continuations joined and
// trailing "# comments" cut.
std::vector<std::string> readme_command_lines() {
  std::ifstream in(fs::path(RELAYAUDIT_SOURCE_DIR) / "README.md");
  std::vector<std::string> commands;
  std::string line;
  std::string pending;
  bool in_shell_block = false;
  while (std::getline(in, line)) {
    if (line.rfind("```", 0) == 0) {
      in_shell_block = !in_shell_block && line == "```sh";
      continue;
    }
    if (!in_shell_block) continue;
    if (pending.empty() && line.rfind("relayaudit ", 0) != 0) continue;
    const auto comment = line.find("  #");
    if (comment != std::string::npos) line.erase(comment);
    while (!line.empty() && line.back() == ' ') line.pop_back();
    if (!line.empty() && line.back() == '\\') {
      line.pop_back();
      pending += line;
      continue;
    }
    commands.push_back(pending + line);
    pending.clear();
  }
  return commands;
}

std::string word(const std::string& line, std::size_t index) {
  std::istringstream words(line);
  std::string each;
  for (std::size_t i = 0; i <= index && words >> each;) ++i;
  return each;
}

// The files the README's lines name, made in `dir` from the examples.
void make_readme_files(const fs::path& dir) {
  const fs::path examples = fs::path(RELAYAUDIT_SOURCE_DIR) / "examples";
  fs::copy_file(examples / "fleet.txt", dir / "fleet.txt");
  fs::copy_file(examples / "fleet.txt", dir / "staging.txt");
  fs::copy(examples / "scripts", dir / "my-scripts");
}

TEST(ReadmeCommands, EveryCommandLineRunsAsWritten) {
  const std::vector<std::string> commands = readme_command_lines();
  ASSERT_GE(commands.size(), 10u) << "the README's shell blocks were not found";
  testing::TempDir dir;
  make_readme_files(dir.path());
  // `report` and `diff` read a results document: one written by a real scan of nothing.
  const auto seed =
      run_command({kBinary, "scan", "127.0.0.1:1", "-q", "--tests", "control-postmaster", "-o",
                   (dir.path() / "results.json").string()});
  ASSERT_EQ(seed.exit_code, 3) << seed.describe();
  fs::copy_file(dir.path() / "results.json", dir.path() / "baseline.json");
  // `merge` joins shards and vantage audits: real ones of the same nothing.
  for (const char* extra :
       {"--shard 1/3 -o shard-1.json", "--shard 2/3 -o shard-2.json", "--shard 3/3 -o shard-3.json",
        "--vantage-name a -o branch.json", "--vantage-name b -o internet.json"}) {
    const auto part = run_command({"/bin/sh", "-c",
                                   "cd '" + dir.path().string() + "' && exec '" + kBinary +
                                       "' scan 127.0.0.1:1 127.0.0.1:2 127.0.0.1:3 -q --tests "
                                       "control-postmaster " +
                                       extra});
    // A shard the rule gave none of the three endpoints proves nothing wrong: 0.
    ASSERT_TRUE(part.exit_code == 3 || part.exit_code == 0) << extra << part.describe() << part.err;
  }

  std::size_t scans = 0;
  for (std::string command : commands) {
    const std::string subcommand = word(command, 1);
    // mx and dnsbl only ask DNS (the machine's resolver unless --resolver): the DNS tests run
    // them against nsd on loopback.
    if (subcommand == "mx" || subcommand == "dnsbl") continue;
    // The README's placeholder for "your targets".
    const auto placeholder = command.find("TARGET...");
    if (placeholder != std::string::npos) command.replace(placeholder, 9, "127.0.0.1:1");
    if (subcommand == "scan") {
      command += " --dry-run";
      ++scans;
    }
    const std::string shell_line =
        "cd '" + dir.path().string() + "' && exec '" + kBinary + "'" + command.substr(10);
    const auto run = run_command({"/bin/sh", "-c", shell_line});
    // merge exits as the audit it joins: the seed audits reached nothing (3).
    EXPECT_EQ(run.exit_code, subcommand == "merge" ? 3 : 0) << command << "\n"
                                                            << run.describe() << run.out << run.err;
    if (subcommand == "scan") {
      EXPECT_NE(run.out.find("dry run: every input is valid"), std::string::npos) << command;
      EXPECT_EQ(run.out.find("targets (0)"), std::string::npos) << command;
    }
  }
  EXPECT_GE(scans, 4u);
  EXPECT_TRUE(fs::exists(dir.path() / "report.html"));
}

}  // namespace
}  // namespace relayaudit
