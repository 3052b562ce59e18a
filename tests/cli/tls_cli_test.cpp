// TLS through the binary: `relayaudit lab` serves real STARTTLS gateways, `relayaudit scan`
// upgrades, records which path each test took and the TLS facts, and `--tls never` does not.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <set>
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

class TlsCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::make_temp_dir();
    endpoints_ = dir_ + "/endpoints.txt";
    lab_ = std::make_unique<testing::BackgroundProcess>(std::vector<std::string>{
        kBinary, "lab", "--profile", "starttls-required,starttls-offered,closed,smtps",
        "--endpoints-file", endpoints_});
    // Every line, not just the first: the lab writes them one by one.
    const auto lines = [&] {
      const std::string text = read_file(endpoints_);
      return std::count(text.begin(), text.end(), '\n');
    };
    for (int i = 0; i < 500 && lines() < 4; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ASSERT_EQ(lines(), 4) << "the lab did not write its endpoints";
  }
  void TearDown() override {
    lab_.reset();
    std::filesystem::remove_all(dir_);
  }
  nlohmann::json scan(std::vector<std::string> extra, int expected_exit) {
    std::vector<std::string> argv{
        kBinary, "scan", "-f", endpoints_, "-q", "-o", dir_ + "/results.json"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    const CommandResult run = run_command(argv);
    EXPECT_EQ(run.exit_code, expected_exit) << run.err;
    const std::string document = read_file(dir_ + "/results.json");
    EXPECT_EQ(testing::results_schema_errors(document), "");
    return nlohmann::json::parse(document);
  }
  std::string dir_;
  std::string endpoints_;
  std::unique_ptr<testing::BackgroundProcess> lab_;
};

TEST_F(TlsCli, StarttlsFindsTheRelayThatOnlyTlsOpensAndRecordsTheFacts) {
  REQUIRE_JSONSCHEMA();
  const auto results = scan({}, 1);
  ASSERT_EQ(results["endpoints"].size(), 4u);
  const auto& required = results["endpoints"][0];
  EXPECT_EQ(required["verdict"], "open-relay");
  const auto& tls = required["tls"];
  EXPECT_EQ(tls["starttls_offered"], true);
  EXPECT_EQ(tls["established"], true);
  EXPECT_EQ(tls["protocol"], "TLSv1.3");
  EXPECT_EQ(tls["chain_trusted"], false);
  // Every connection after the first handshake resumes it: the parallel ones join once the first
  // is greeted inside TLS, with its ticket.
  EXPECT_GE(tls["handshakes"].get<int>(), 2);
  EXPECT_EQ(tls["resumed"].get<int>(), tls["handshakes"].get<int>() - 1);
  EXPECT_EQ(tls["verify_error"], "self-signed certificate");
  ASSERT_EQ(tls["certificates"].size(), 1u);
  EXPECT_EQ(tls["certificates"][0]["subject"], "CN=lab.relayaudit.test");
  EXPECT_EQ(tls["certificates"][0]["dns_names"][1], "*.lab.relayaudit.test");
  // --tls auto: the plan inside TLS, and the baseline attempts and the control once in plaintext.
  const std::set<std::string> plaintext_baseline = {"control-postmaster", "relay-external-sender",
                                                    "relay-null-sender",
                                                    "relay-spoofed-local-sender"};
  for (const auto* endpoint : {&required, &results["endpoints"][1]}) {
    std::set<std::string> inside_tls;
    std::set<std::string> plain;
    for (const auto& test : (*endpoint)["tests"]) {
      (test["path"] == "tls" ? inside_tls : plain).insert(test["id"].get<std::string>());
    }
    EXPECT_EQ(inside_tls.size(), (*endpoint)["tests"].size() - plaintext_baseline.size());
    EXPECT_EQ(plain, plaintext_baseline);
  }

  const auto& offered = results["endpoints"][1];
  EXPECT_EQ(offered["verdict"], "closed");

  const auto& plain = results["endpoints"][2];
  EXPECT_EQ(plain["verdict"], "closed");
  // Results 1.3: the policy read from EHLO is a TLS fact too; nothing was tried.
  ASSERT_TRUE(plain.contains("tls"));
  EXPECT_EQ(plain["tls"]["starttls_policy"], "absent");
  EXPECT_EQ(plain["tls"]["established"], false);
  EXPECT_EQ(plain["tls"]["starttls_offered"], false);
  for (const auto& test : plain["tests"]) EXPECT_EQ(test["path"], "plain") << test["id"];
  EXPECT_EQ(results["options"]["tls"], "auto");

  // Written smtps:// by `relayaudit lab --endpoints-file`: TLS from the first byte.
  const auto& smtps = results["endpoints"][3];
  EXPECT_EQ(smtps["verdict"], "open-relay");
  EXPECT_EQ(smtps["tls"]["implicit"], true);
  EXPECT_EQ(smtps["tls"]["starttls_offered"], false);
  EXPECT_EQ(smtps["tls"]["established"], true);
  for (const auto& test : smtps["tests"]) EXPECT_EQ(test["path"], "tls") << test["id"];
}

TEST_F(TlsCli, TlsNeverStaysInPlaintextAndMissesWhatOnlyTlsOpens) {
  REQUIRE_JSONSCHEMA();
  // The smtps:// line cannot be audited in plaintext: exit 2 naming it, before any connection.
  const CommandResult refused =
      run_command({kBinary, "scan", "-f", endpoints_, "-q", "--tls", "never"});
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_NE(refused.err.find("endpoints.txt:4: 'smtps://127.0.0.1:"), std::string::npos)
      << refused.err;
  EXPECT_NE(refused.err.find("--tls is never"), std::string::npos) << refused.err;
  std::string plain_lines = read_file(endpoints_);
  plain_lines.erase(plain_lines.find("smtps://"));
  endpoints_ = dir_ + "/plain.txt";
  testing::write_file(endpoints_, plain_lines);
  const auto results = scan({"--tls", "never"}, 3);  // the required one stays unproven
  const auto& required = results["endpoints"][0];
  EXPECT_EQ(required["verdict"], "inconclusive") << "530 to MAIL until STARTTLS";
  EXPECT_EQ(required["tls"]["starttls_offered"], true);
  EXPECT_EQ(required["tls"]["established"], false);
  for (const auto& test : required["tests"]) EXPECT_EQ(test["path"], "plain") << test["id"];
}

TEST_F(TlsCli, ACaFileThatCannotBeReadIsExit2NamingIt) {
  const CommandResult run =
      run_command({kBinary, "scan", "-f", endpoints_, "-q", "--ca-file", dir_ + "/missing.pem"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("missing.pem"), std::string::npos) << run.err;
  EXPECT_EQ(run_command({kBinary, "scan", "-f", endpoints_, "-q", "--tls", "sometimes"}).exit_code,
            2);
}

}  // namespace
}  // namespace relayaudit
