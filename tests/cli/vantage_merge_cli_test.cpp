// merge --by-vantage through the binary: the same endpoints audited from two vantages, open
// from one and closed from the other, merge into one document whose reports say so.
#include <gtest/gtest.h>

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <thread>

#include <nlohmann/json.hpp>

#include "support/process.hpp"
#include "support/relayaudit_binary.hpp"
#include "support/report_validators.hpp"
#include "support/temp_dir.hpp"

namespace relayaudit {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::CommandResult;
using testing::kBinary;
using testing::read_file;
using testing::run_command;

class VantageMerge : public ::testing::Test {
 protected:
  std::string path(const std::string& name) const { return (dir_.path() / name).string(); }

  // Serves `profiles` on base_ and up (a base is found on first use), scans them as `vantage`.
  void audit_from(const std::string& vantage, const std::string& profiles,
                  const std::string& output) {
    std::unique_ptr<testing::BackgroundProcess> lab;
    std::string endpoints;
    for (int attempt = 0; attempt < 5 && endpoints.empty(); ++attempt) {
      if (base_ == 0 || attempt > 0) {
        base_ = 20000 + static_cast<int>((::getpid() * 4481 + attempt * 7727) % 40000);
      }
      const std::string file = path(vantage + "-endpoints-" + std::to_string(attempt));
      lab = std::make_unique<testing::BackgroundProcess>(
          std::vector<std::string>{kBinary, "lab", "--profile", profiles, "--base-port",
                                   std::to_string(base_), "--endpoints-file", file});
      for (int i = 0; i < 250 && read_file(file).empty(); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
      endpoints = read_file(file);
      if (endpoints.empty()) lab->stop();
    }
    ASSERT_FALSE(endpoints.empty()) << "no base port was free";
    testing::write_file(path("fleet.txt"), endpoints);
    const CommandResult run = run_command(
        {kBinary, "scan", "-f", path("fleet.txt"), "-q", "--vantage-name", vantage, "-o", output});
    EXPECT_TRUE(run.exit_code == 0 || run.exit_code == 1) << run.err;
    EXPECT_EQ(lab->stop(), 0);
  }

  testing::TempDir dir_;
  int base_ = 0;
};

TEST_F(VantageMerge, EachEndpointShowsItsVerdictFromEveryVantage) {
  audit_from("branch-office", "open,closed", path("branch.json"));
  ASSERT_FALSE(HasFatalFailure());
  audit_from("internet", "closed,closed", path("internet.json"));
  ASSERT_FALSE(HasFatalFailure());
  EXPECT_EQ(json::parse(read_file(path("branch.json"))).at("run").at("vantage_name"),
            "branch-office");

  // Without --by-vantage two audits of one endpoint are overlapping shards.
  const CommandResult plain = run_command(
      {kBinary, "merge", path("branch.json"), path("internet.json"), "-o", path("refused.json")});
  EXPECT_EQ(plain.exit_code, 2) << plain.err;
  EXPECT_NE(plain.err.find("--by-vantage"), std::string::npos) << plain.err;
  const CommandResult same_vantage =
      run_command({kBinary, "merge", "--by-vantage", path("branch.json"), path("branch.json"), "-o",
                   path("refused.json")});
  EXPECT_EQ(same_vantage.exit_code, 2) << same_vantage.err;
  EXPECT_NE(same_vantage.err.find("(of vantage branch-office)"), std::string::npos)
      << same_vantage.err;

  const CommandResult merge = run_command(
      {kBinary, "merge", "--by-vantage", path("internet.json"), path("branch.json"), "-o",
       path("merged.json"), "--markdown", path("summary.md"), "--html", path("report.html")});
  EXPECT_EQ(merge.exit_code, 1) << merge.err;
  const std::string open_key = "127.0.0.1:" + std::to_string(base_);
  const std::string per_vantage = "closed from internet, open-relay from branch-office";
  EXPECT_NE(merge.out.find(open_key + "  " + per_vantage), std::string::npos) << merge.out;

  const json merged = json::parse(read_file(path("merged.json")));
  ASSERT_EQ(merged.at("endpoints").size(), 2u);
  const json& open = merged.at("endpoints")[0];
  EXPECT_EQ(open.at("endpoint"), open_key);
  EXPECT_EQ(open.at("verdict"), "open-relay") << "the worst vantage is shown";
  ASSERT_EQ(open.at("vantages").size(), 2u);
  EXPECT_EQ(open.at("vantages")[1].at("name"), "branch-office");
  EXPECT_TRUE(open.at("vantages")[1].at("shown"));
  EXPECT_FALSE(open.at("vantages")[0].at("shown"));
  EXPECT_FALSE(open.at("vantages")[1].at("failing_scripts").empty());
  EXPECT_EQ(merged.at("endpoints")[1].at("verdict"), "closed");
  EXPECT_EQ(merged.at("summary").at("open_relay"), 1);
  EXPECT_EQ(merged.at("summary").at("endpoints"), 2);
  EXPECT_EQ(merged.at("run").at("shards").size(), 2u);
  EXPECT_FALSE(merged.at("run").contains("vantage_name")) << "two vantages, no single name";

  EXPECT_NE(read_file(path("summary.md")).find(per_vantage), std::string::npos);
  const std::string html = read_file(path("report.html"));
  EXPECT_NE(html.find("Per vantage: " + per_vantage), std::string::npos);
  EXPECT_NE(html.find("Vantage: from vantage(s) <code>internet</code>, <code>branch-office</code> "
                      "(merged from 2 documents)"),
            std::string::npos);
  const CommandResult report = run_command({kBinary, "report", path("merged.json"), "--junit",
                                            path("junit.xml"), "--sarif", path("results.sarif")});
  EXPECT_EQ(report.exit_code, 1) << report.err;
  EXPECT_NE(read_file(path("junit.xml"))
                .find("<property name=\"verdict_by_vantage\" value=\"" + per_vantage + "\""),
            std::string::npos);
  const json sarif = json::parse(read_file(path("results.sarif")));
  const json& alert = sarif.at("runs")[0].at("results")[0];
  EXPECT_NE(alert.at("message").at("text").get<std::string>().find("By vantage: " + per_vantage),
            std::string::npos)
      << alert.dump();
  EXPECT_EQ(alert.at("properties").at("verdict_by_vantage"), per_vantage);
  // diff reads it as any scan: from the internet's view, the branch's open relay is new.
  const CommandResult diff =
      run_command({kBinary, "diff", path("internet.json"), path("merged.json")});
  EXPECT_EQ(diff.exit_code, 1) << diff.out << diff.err;
  EXPECT_NE(diff.out.find(open_key), std::string::npos) << diff.out;
  if (testing::jsonschema_available()) {
    EXPECT_EQ(testing::results_schema_errors(read_file(path("merged.json"))), "");
  }
}

}  // namespace
}  // namespace relayaudit
