// Hostile reply streams through the binary: `relayaudit lab` serves them, `relayaudit scan`
// audits them with and without pipelining, and no closed server comes out an open relay.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <thread>

#include <nlohmann/json.hpp>

#include "support/process.hpp"
#include "support/relayaudit_binary.hpp"
#include "support/report_validators.hpp"

namespace relayaudit {
namespace {

using testing::CommandResult;
using testing::kBinary;
using testing::read_file;
using testing::run_command;

const std::vector<std::string> kHostile{
    "reply-after-banner", "double-banner", "extra-reply-mid-batch", "repeated-replies",
    "swapped-rcpt-rset",  "stray-reject",  "reply-after-quit"};

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& name : names) out += (out.empty() ? "" : ",") + name;
  return out;
}

// Lab host names are "<profile>-<n>.lab.relayaudit.test"; the lab lists them in profile order.
class HostileStreamCli : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override { dir_ = testing::make_temp_dir(); }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string dir_;
};

TEST_P(HostileStreamCli, NoHostileStreamIsAnOpenRelayAndEachSaysWhy) {
  REQUIRE_JSONSCHEMA();
  const bool pipelining = GetParam();
  const std::string endpoints = dir_ + "/endpoints.txt";
  testing::BackgroundProcess lab(
      {kBinary, "lab", "--profile", joined(kHostile), "--endpoints-file", endpoints});
  for (int i = 0; i < 500 && read_file(endpoints).empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_FALSE(read_file(endpoints).empty()) << "the lab did not write its endpoints";
  std::vector<std::string> argv{
      kBinary,           "scan", "-f", endpoints, "-q", "-o", dir_ + "/results.json",
      "--reply-timeout", "5s"};
  if (!pipelining) argv.push_back("--no-pipelining");
  const CommandResult run = run_command(argv);
  EXPECT_NE(run.exit_code, 1) << "an open relay was reported: " << run.err;
  const std::string document = read_file(dir_ + "/results.json");
  EXPECT_EQ(testing::results_schema_errors(document), "");
  const auto results = nlohmann::json::parse(document);
  ASSERT_EQ(results["endpoints"].size(), kHostile.size());
  for (std::size_t i = 0; i < kHostile.size(); ++i) {
    const auto& endpoint = results["endpoints"][i];
    const std::string& profile = kHostile[i];
    const bool honest_here = !pipelining && profile == "swapped-rcpt-rset";
    EXPECT_EQ(endpoint["verdict"], honest_here ? "closed" : "inconclusive") << profile;
    if (honest_here) continue;
    EXPECT_NE(endpoint["verdict_reason"].get<std::string>().find("reply stream out of sync"),
              std::string::npos)
        << profile << ": " << endpoint["verdict_reason"];
    for (const auto& test : endpoint["tests"]) {
      EXPECT_EQ(test["status"], "protocol-error") << profile << " " << test["id"];
      EXPECT_NE(test["outcome"], "accepted") << profile << " " << test["id"];
    }
  }
  EXPECT_EQ(lab.stop(), 0) << "the lab stops cleanly on SIGTERM";
}

INSTANTIATE_TEST_SUITE_P(Modes, HostileStreamCli, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& info) {
                           return std::string(info.param ? "Pipelined" : "NoPipelining");
                         });

}  // namespace
}  // namespace relayaudit
