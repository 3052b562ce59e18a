// Sharded scans of mail domains through the binary: every shard resolves every domain (nsd on
// loopback), audits its part of the MX addresses, and the merge recomputes the domain verdicts
// from all shards' endpoints to exactly those of one unsharded scan.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <thread>

#include <nlohmann/json.hpp>

#include "dns_harness.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

namespace relayaudit::testing {
namespace {

using nlohmann::json;

// The scan.test zone's gateway addresses, each served by a lab on one common port; 127.0.0.5
// (open.scan.test) relays.
constexpr const char* kDomainGateways[] = {"127.0.0.2", "::1",       "127.0.0.3", "127.0.0.4",
                                           "127.0.0.5", "127.0.0.6", "127.0.0.7"};

class ShardDomains : public NsdTest {
 protected:
  // Starts one lab per gateway address, all on the port the first one got.
  bool start_labs() {
    for (const char* address : kDomainGateways) {
      const std::string file = (dir_.path() / (std::string("lab-") + address)).string();
      std::vector<std::string> argv = {
          RELAYAUDIT_BINARY,  "lab",
          "--bind",           address,
          "--profile",        std::string(address) == "127.0.0.5" ? "open" : "closed",
          "--endpoints-file", file};
      if (!port_.empty()) argv.insert(argv.end(), {"--base-port", port_});
      labs_.push_back(std::make_unique<BackgroundProcess>(argv));
      for (int i = 0; i < 250 && read_file(file).empty(); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
      const std::string served = read_file(file);
      if (served.empty()) return false;
      if (port_.empty())
        port_ = served.substr(served.rfind(':') + 1, served.find('\n') - served.rfind(':') - 1);
    }
    return true;
  }
  CommandResult scan(const std::string& output, std::vector<std::string> extra = {}) const {
    std::vector<std::string> argv = {RELAYAUDIT_BINARY,
                                     "scan",
                                     "-q",
                                     "--resolver",
                                     shared_nsd().spec(),
                                     "-p",
                                     port_,
                                     "-o",
                                     output,
                                     "relay.scan.test",
                                     "pair.scan.test",
                                     "open.scan.test",
                                     "implicit.scan.test",
                                     "nullmx.scan.test",
                                     "lame.scan.test"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return run_command(argv, std::chrono::seconds(120));
  }
  std::string path(const std::string& name) const { return (dir_.path() / name).string(); }

  TempDir dir_;
  std::string port_;
  std::vector<std::unique_ptr<BackgroundProcess>> labs_;
};

TEST_F(ShardDomains, ThreeShardsMergeToTheDomainResultsOfOneScan) {
  ASSERT_TRUE(start_labs()) << "a lab did not start on port " << port_;
  const CommandResult whole_run = scan(path("whole.json"));
  ASSERT_EQ(whole_run.exit_code, 1) << whole_run.err;
  const json whole = json::parse(read_file(path("whole.json")));
  ASSERT_EQ(whole.at("endpoints").size(), 7u) << whole.dump();
  ASSERT_EQ(whole.at("domains").size(), 6u);

  std::vector<std::string> argv = {RELAYAUDIT_BINARY, "merge", "-q", "-o", path("merged.json")};
  for (int k = 1; k <= 3; ++k) {
    const std::string file = path("shard-" + std::to_string(k) + ".json");
    const CommandResult run = scan(file, {"--shard", std::to_string(k) + "/3"});
    EXPECT_NE(run.exit_code, 2) << run.err;
    const json shard = json::parse(read_file(file));
    // Every shard resolved every domain: the MX maps are whole in each.
    ASSERT_EQ(shard.at("domains").size(), 6u);
    for (std::size_t d = 0; d < 6; ++d) {
      EXPECT_EQ(shard["domains"][d].at("endpoints"), whole["domains"][d].at("endpoints"));
      EXPECT_EQ(shard["domains"][d].at("hosts"), whole["domains"][d].at("hosts"));
    }
    argv.push_back(file);
  }
  const CommandResult merge = run_command(argv);
  EXPECT_EQ(merge.exit_code, 1) << merge.err;
  const json merged = json::parse(read_file(path("merged.json")));
  EXPECT_EQ(merged.at("domains"), whole.at("domains"));
  EXPECT_EQ(merged.at("summary"), whole.at("summary"));
  EXPECT_EQ(merged.at("unresolved"), whole.at("unresolved"));
  EXPECT_EQ(merged.at("summary").at("domains"), 6);
  EXPECT_EQ(merged.at("domains")[2].at("verdict"), "open-relay");  // open.scan.test
  EXPECT_EQ(merged.at("domains")[4].at("verdict"), "no-mail");     // nullmx.scan.test
  const CommandResult report =
      run_command({RELAYAUDIT_BINARY, "report", path("merged.json"), "--markdown",
                   path("summary.md"), "--html", path("report.html")});
  EXPECT_EQ(report.exit_code, 1) << report.err;
  EXPECT_NE(read_file(path("summary.md")).find("open.scan.test"), std::string::npos);
  // diff keys a domain's own control by its domain, so an MX of several domains compares too.
  const CommandResult diff =
      run_command({RELAYAUDIT_BINARY, "diff", path("whole.json"), path("merged.json")});
  EXPECT_EQ(diff.exit_code, 0) << diff.out << diff.err;
  EXPECT_NE(diff.out.find("Result: no change"), std::string::npos) << diff.out;
  for (auto& lab : labs_) EXPECT_EQ(lab->stop(), 0);
}

}  // namespace
}  // namespace relayaudit::testing
