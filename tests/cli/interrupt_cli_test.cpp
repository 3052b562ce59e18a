// Crash safety of a scan: --jsonl keeps every finished endpoint through SIGKILL, --resume finishes
// the rest, and SIGINT stops cleanly with reports marked incomplete.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <filesystem>
#include <set>
#include <sstream>
#include <thread>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/process.hpp"
#include "support/relayaudit_binary.hpp"
#include "support/report_validators.hpp"
#include "support/temp_dir.hpp"

namespace relayaudit {
namespace {

using testing::kBinary;
using testing::TempDir;

// The endpoint lines of a stream (`headers`: its header lines instead, one per run).
std::vector<nlohmann::json> jsonl_lines(const std::string& path, bool headers = false) {
  std::vector<nlohmann::json> lines;
  std::istringstream in(testing::read_file(path));
  for (std::string line; std::getline(in, line);) {
    nlohmann::json parsed = nlohmann::json::parse(line);
    if (parsed.contains("endpoint") != headers) lines.push_back(std::move(parsed));
  }
  return lines;
}

// A lab whose fast gateways finish at once and whose tarpits take seconds.
struct SlowLab {
  explicit SlowLab(const TempDir& dir)
      : endpoints((dir.path() / "endpoints.txt").string()),
        process({kBinary, "lab", "--profile", "closed,open,tarpit,tarpit,tarpit,closed",
                 "--endpoints-file", endpoints}) {
    for (int i = 0; i < 500 && testing::read_file(endpoints).empty(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  std::string endpoints;
  testing::BackgroundProcess process;
};

// Starts a scan, waits until its --jsonl file holds `lines` endpoint lines after its header
// line, then sends `signal`.
int scan_and_signal(const std::vector<std::string>& argv, const std::string& jsonl, int lines,
                    int signal) {
  std::string error;
  const pid_t pid = testing::spawn_process(argv, -1, -1, false, SIGKILL, &error);
  for (int i = 0; i < 1000; ++i) {
    const std::string text = testing::read_file(jsonl);
    if (std::count(text.begin(), text.end(), '\n') >= lines + 1) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ::kill(pid, signal);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
}

TEST(ScanInterrupts, SigkillLosesNoFinishedEndpointAndResumeFinishesTheRest) {
  TempDir dir;
  SlowLab lab(dir);
  ASSERT_FALSE(testing::read_file(lab.endpoints).empty());
  const std::string jsonl = (dir.path() / "stream.jsonl").string();
  const std::string killed_results = (dir.path() / "killed.json").string();
  const int status = scan_and_signal({kBinary, "scan", "-f", lab.endpoints, "-q", "--jsonl", jsonl,
                                      "-o", killed_results, "--tests", "core"},
                                     jsonl, 3, SIGKILL);
  EXPECT_EQ(status, -SIGKILL);
  // The spill file of finished endpoints next to -o had no name: nothing of it is left.
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
    const std::string name = entry.path().filename().string();
    EXPECT_TRUE(name == "endpoints.txt" || name == "stream.jsonl") << name;
  }
  const auto before = jsonl_lines(jsonl);  // every line parses: no torn line
  ASSERT_GE(before.size(), 3u);
  ASSERT_LT(before.size(), 6u) << "the tarpits should still have been running";

  const std::string results = (dir.path() / "results.json").string();
  const auto resumed = testing::run_command({kBinary, "scan", "-f", lab.endpoints, "-q", "--resume",
                                             jsonl, "-o", results, "--tests", "core"});
  EXPECT_EQ(resumed.exit_code, 1) << resumed.err;  // the open gateway
  const auto after = jsonl_lines(jsonl);
  EXPECT_EQ(after.size(), 6u);
  std::set<std::string> keys;
  for (const auto& line : after) keys.insert(line["endpoint"].get<std::string>());
  EXPECT_EQ(keys.size(), 6u) << "each endpoint audited exactly once";
  // Each run began its part of the stream with what its scripts are.
  const auto headers = jsonl_lines(jsonl, true);
  ASSERT_EQ(headers.size(), 2u);
  for (const auto& header : headers) {
    EXPECT_EQ(header["schema_version"], "2.0");
    EXPECT_TRUE(header["scripts"].contains("relay-external-sender")) << header.dump();
  }
  const auto document = nlohmann::json::parse(testing::read_file(results));
  EXPECT_EQ(document["endpoints"].size(), 6u);
  EXPECT_EQ(document["summary"]["endpoints"], 6);
  EXPECT_EQ(document["summary"]["open_relay"], 1);
  EXPECT_TRUE(document["complete"].get<bool>());
}

TEST(ScanInterrupts, SigintStopsCleanlyAndWritesIncompleteReports) {
  TempDir dir;
  SlowLab lab(dir);
  const std::string jsonl = (dir.path() / "stream.jsonl").string();
  const std::string results = (dir.path() / "results.json").string();
  const std::string html = (dir.path() / "report.html").string();
  const std::string junit = (dir.path() / "junit.xml").string();
  const std::string sarif = (dir.path() / "relay.sarif").string();
  const std::string markdown = (dir.path() / "summary.md").string();
  std::vector<std::string> argv = {kBinary, "scan", "-f", lab.endpoints, "-q"};
  const std::pair<std::string, std::string> flags[] = {{"--tests", "core,relay-null-sender"},
                                                       {"--tests-per-connection", "1"},
                                                       {"--jsonl", jsonl},
                                                       {"-o", results},
                                                       {"--html", html},
                                                       {"--junit", junit},
                                                       {"--sarif", sarif},
                                                       {"--markdown", markdown}};
  for (const auto& [flag, value] : flags) argv.insert(argv.end(), {flag, value});
  const int status = scan_and_signal(argv, jsonl, 3, SIGINT);
  EXPECT_EQ(status, 1) << "the open gateway was already found";
  const auto document = nlohmann::json::parse(testing::read_file(results));
  EXPECT_FALSE(document["complete"].get<bool>());
  EXPECT_EQ(document["endpoints"].size(), jsonl_lines(jsonl).size());
  EXPECT_LT(document["endpoints"].size(), 6u);
  // The reports are rendered from the same incomplete document.
  const std::string page = testing::read_file(html);
  EXPECT_NE(page.find("Incomplete scan."), std::string::npos);
  const std::string xml = testing::read_file(junit);
  for (const auto& endpoint : document["endpoints"]) {
    const std::string key = endpoint["endpoint"].get<std::string>();
    EXPECT_NE(page.find("<code>" + key + "</code>"), std::string::npos) << key;
    EXPECT_NE(xml.find(key), std::string::npos) << key;
  }
  // Every CI format says so too: JUnit fails a run-level case, SARIF's invocation failed.
  EXPECT_NE(xml.find("<property name=\"relayaudit.complete\" value=\"false\""), std::string::npos)
      << xml;
  const std::string interrupted =
      "the scan was interrupted: " + std::to_string(document["endpoints"].size()) +
      " endpoint(s) finished";
  EXPECT_NE(xml.find("<failure message=\"" + interrupted), std::string::npos) << xml;
  if (testing::xmllint_available()) {
    EXPECT_EQ(testing::junit_schema_errors(xml), "");
  }
  const auto log = nlohmann::json::parse(testing::read_file(sarif));
  const auto& invocation = log["runs"][0]["invocations"][0];
  EXPECT_FALSE(invocation["executionSuccessful"].get<bool>());
  EXPECT_EQ(invocation["toolExecutionNotifications"][0]["descriptor"]["id"], "scan-incomplete");
  if (testing::jsonschema_available()) {
    EXPECT_EQ(testing::sarif_schema_errors(testing::read_file(sarif)), "");
  }
  EXPECT_NE(testing::read_file(markdown).find("**Incomplete scan:**"), std::string::npos);
}

}  // namespace
}  // namespace relayaudit
