// `--config FILE`: scan options from a TOML file, the command line winning, bad files named.
#include <gtest/gtest.h>

#include <filesystem>

#include <nlohmann/json.hpp>

#include "support/process.hpp"
#include "support/relayaudit_binary.hpp"
#include "support/temp_dir.hpp"

namespace relayaudit {
namespace {

using testing::kBinary;
using testing::run_command;

const std::string kExampleConfig = std::string(RELAYAUDIT_SOURCE_DIR) + "/examples/relayaudit.toml";

TEST(ConfigCli, ExampleConfigAppliesAndTheCommandLineWins) {
  testing::TempDir dir;
  const auto results = (dir.path() / "results.json").string();
  // The example sets greylist-delay = "60s"; the command line's 1s must win.
  const auto run = run_command({kBinary, "scan", "--config", kExampleConfig, "--lab", "-q",
                                "--tests", "core", "--greylist-delay", "1s", "-o", results});
  EXPECT_EQ(run.exit_code, 1) << run.err;  // the lab has open relays
  const auto document = nlohmann::json::parse(testing::read_file(results));
  const auto& options = document.at("options");
  EXPECT_EQ(options.at("ehlo_name"), "relayaudit.scanner.example.com");
  EXPECT_EQ(options.at("concurrency"), 128);
  EXPECT_EQ(options.at("tests_per_connection"), 6);
  EXPECT_EQ(options.at("greylist_delay_ms"), 1000);
  EXPECT_EQ(options.at("fail_on"), "inconclusive");
}

TEST(ConfigCli, UnknownKeysBadValuesAndMissingFilesAreUsageErrors) {
  testing::TempDir dir;
  const auto unknown = dir.write("unknown.toml", "[scan]\nport = 2525\nbogus-option = 1\n");
  auto run = run_command({kBinary, "scan", "--config", unknown.string(), "127.0.0.1:1"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("--config " + unknown.string() + ":3: unknown key 'bogus-option'"),
            std::string::npos)
      << run.err;

  const auto bad_value = dir.write("bad.toml", "[scan]\nport = 99999\n");
  run = run_command({kBinary, "scan", "--config", bad_value.string(), "127.0.0.1:1"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("--config " + bad_value.string() + ": "), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("port"), std::string::npos) << run.err;

  run = run_command(
      {kBinary, "scan", "--config", (dir.path() / "missing.toml").string(), "127.0.0.1:1"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("missing.toml"), std::string::npos) << run.err;
}

TEST(ConfigCli, UnknownKeyNamesFileLineAndTheKeyMeant) {
  testing::TempDir dir;
  const auto typo = dir.write("typo.toml", "[scan]\nport = 2525\n\nprot = 25\n").string();
  auto run = run_command({kBinary, "--config", typo, "scan", "127.0.0.1:1"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_EQ(run.err, "relayaudit: --config " + typo +
                         ":4: unknown key 'prot' in [scan] (did you mean 'port'?)\n");

  const auto far = dir.write("far.toml", "[scan]\nzzzzzzzz = 1\n").string();
  run = run_command({kBinary, "scan", "--config", far, "127.0.0.1:1"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_EQ(run.err, "relayaudit: --config " + far + ":2: unknown key 'zzzzzzzz' in [scan]\n");
}

TEST(ConfigCli, OptionsOutsideTheirSectionAndUnknownSectionsAreNamed) {
  testing::TempDir dir;
  const auto top = dir.write("top.toml", "# no section\nconcurrency = 4\n").string();
  auto run = run_command({kBinary, "--config", top, "scan", "127.0.0.1:1"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find(top + ":2: unknown key 'concurrency' in the top level"), std::string::npos)
      << run.err;
  EXPECT_NE(run.err.find("put it under [scan]"), std::string::npos) << run.err;

  const auto section = dir.write("section.toml", "[scna]\nport = 25\n").string();
  run = run_command({kBinary, "--config", section, "scan", "127.0.0.1:1"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_EQ(run.err, "relayaudit: --config " + section +
                         ":2: unknown section [scna] (did you mean [scan]?)\n");

  const auto dotted = dir.write("dotted.toml", "scan.tsl = \"never\"\n").string();
  run = run_command({kBinary, "--config", dotted, "scan", "127.0.0.1:1"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find(dotted + ":1: unknown key 'tsl' in [scan] (did you mean 'tls'?)"),
            std::string::npos)
      << run.err;
}

}  // namespace
}  // namespace relayaudit
