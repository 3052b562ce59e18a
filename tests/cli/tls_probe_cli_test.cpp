// --tls-probe through the binary: its values are checked before anything connects, and a
// probed scan of the lab's TLS gateways finishes with the same verdicts.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
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

// Nothing listens on port 1 of 127.0.0.9; a usage error must come before any connection.
const std::string kTarget = "127.0.0.9:1";

TEST(TlsProbeCli, AnUnknownProbeIsExit2NamingIt) {
  const CommandResult run = run_command({kBinary, "scan", kTarget, "-q", "--tls-probe", "cipher"});
  EXPECT_EQ(run.exit_code, 2) << run.err;
  EXPECT_NE(run.err.find("--tls-probe"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("cipher"), std::string::npos) << run.err;
}

TEST(TlsProbeCli, AnUnknownProbeInACommaListIsExit2NamingIt) {
  const CommandResult run =
      run_command({kBinary, "scan", kTarget, "-q", "--tls-probe", "versions,injektion"});
  EXPECT_EQ(run.exit_code, 2) << run.err;
  EXPECT_NE(run.err.find("injektion"), std::string::npos) << run.err;
}

TEST(TlsProbeCli, ProbesWithoutTlsAreExit2) {
  const CommandResult run =
      run_command({kBinary, "scan", kTarget, "-q", "--tls-probe", "versions", "--tls", "never"});
  EXPECT_EQ(run.exit_code, 2) << run.err;
  EXPECT_NE(run.err.find("--tls-probe needs TLS, but --tls is never"), std::string::npos)
      << run.err;
}

TEST(TlsProbeCli, ProbedScanOfTheTlsLabKeepsItsVerdicts) {
  REQUIRE_JSONSCHEMA();
  const std::string dir = testing::make_temp_dir();
  const std::string endpoints = dir + "/endpoints.txt";
  {
    testing::BackgroundProcess lab({kBinary, "lab", "--profile", "tls-legacy,starttls-injection",
                                    "--endpoints-file", endpoints});
    const auto lines = [&] {
      const std::string text = read_file(endpoints);
      return std::count(text.begin(), text.end(), '\n');
    };
    for (int i = 0; i < 500 && lines() < 2; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ASSERT_EQ(lines(), 2) << "the lab did not write its endpoints";
    // Both forms: a repeated option and a comma list.
    const CommandResult run = run_command(
        {kBinary, "scan", "-f", endpoints, "-q", "-o", dir + "/results.json", "--reply-timeout",
         "1s", "--tls-probe", "versions", "--tls-probe", "injection,versions"});
    EXPECT_EQ(run.exit_code, 0) << run.err;
    const std::string document = read_file(dir + "/results.json");
    EXPECT_EQ(testing::results_schema_errors(document), "");
    const auto results = nlohmann::json::parse(document);
    ASSERT_EQ(results["endpoints"].size(), 2u);
    for (const auto& endpoint : results["endpoints"]) EXPECT_EQ(endpoint["verdict"], "closed");
    EXPECT_EQ(results["options"]["tls_probes"],
              nlohmann::json::array({"versions", "injection", "versions"}));
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace relayaudit
