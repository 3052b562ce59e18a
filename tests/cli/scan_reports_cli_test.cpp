// `scan` writes every report format from its own results: one real lab scan, each output
// validated the way the report tests validate it.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/process.hpp"
#include "support/relayaudit_binary.hpp"
#include "support/report_validators.hpp"
#include "support/temp_dir.hpp"
#include "support/text_search.hpp"

namespace relayaudit {
namespace {

using nlohmann::json;
using testing::count_of;
using testing::kBinary;
using testing::read_file;
using testing::run_command;
using testing::TempDir;

TEST(ScanReports, OneLabScanWritesEveryFormatAndEachValidates) {
  TempDir dir;
  const auto path = [&](const char* name) { return (dir.path() / name).string(); };
  const auto run = run_command({kBinary, "scan", "--lab", "-q", "-o", path("results.json"),
                                "--junit", path("junit.xml"), "--sarif", path("relay.sarif"),
                                "--markdown", path("summary.md"), "--html", path("report.html")});
  ASSERT_FALSE(run.timed_out);
  EXPECT_EQ(run.exit_code, 1) << "the lab has open relays; the report flags change no exit code\n"
                              << run.err;

  const std::string results_text = read_file(path("results.json"));
  const json results = json::parse(results_text);
  ASSERT_GE(results["endpoints"].size(), 10u);
  const std::string junit = read_file(path("junit.xml"));
  const std::string sarif = read_file(path("relay.sarif"));
  const std::string markdown = read_file(path("summary.md"));
  const std::string html = read_file(path("report.html"));

  // The formats come from the same document: every endpoint of results.json is in each one.
  EXPECT_EQ(count_of(html, "<tr class=\"endpoint-row\">"), results["endpoints"].size());
  for (const auto& endpoint : results["endpoints"]) {
    const std::string key = endpoint["endpoint"].get<std::string>();
    EXPECT_NE(html.find("<code>" + key + "</code>"), std::string::npos) << key;
    EXPECT_NE(junit.find(key), std::string::npos) << key;
    EXPECT_NE(markdown.find(key), std::string::npos) << key;
    // Which gateway it is: the name the server gives itself, beside its address.
    if (!endpoint["ehlo"].is_object()) continue;
    const std::string server = endpoint["ehlo"]["server_domain"].get<std::string>();
    EXPECT_NE(html.find("server " + server), std::string::npos) << server;
    EXPECT_NE(markdown.find("server `" + server + "`"), std::string::npos) << server;
    EXPECT_NE(junit.find("server " + server), std::string::npos) << server;
  }
  // What to fix, beside the failing scripts: the setting known to open each hole.
  EXPECT_NE(markdown.find("What opens these holes"), std::string::npos);
  EXPECT_NE(markdown.find("- `relay-external-sender`: opened by Postfix\\: mynetworks"),
            std::string::npos)
      << markdown;
  EXPECT_EQ(json::parse(sarif)["version"], "2.1.0");

  if (testing::jsonschema_available()) {
    EXPECT_EQ(testing::results_schema_errors(results_text), "");
    EXPECT_EQ(testing::sarif_schema_errors(sarif), "");
  } else if (std::getenv("CI") != nullptr) {
    ADD_FAILURE() << "python3 jsonschema missing in CI";
  }
  if (testing::xmllint_available()) {
    EXPECT_EQ(testing::junit_schema_errors(junit), "") << junit;
  } else if (std::getenv("CI") != nullptr) {
    ADD_FAILURE() << "xmllint missing in CI";
  }
  if (testing::cmark_available()) {
    const std::string rendered = testing::render_with_cmark(markdown);
    EXPECT_NE(rendered.find("<table>"), std::string::npos) << rendered;
  } else if (std::getenv("CI") != nullptr) {
    ADD_FAILURE() << "cmark-gfm missing in CI";
  }
}

// `scan` writes each format streaming over its spilled endpoints; `report` renders the same
// formats from results.json in memory. Both are byte for byte the same.
// The terminal names what opens each hole it shows, under the script that found it.
TEST(ScanReports, TheTerminalSaysWhatOpensEachHoleItShows) {
  const auto run = run_command({kBinary, "scan", "--lab"});
  EXPECT_EQ(run.exit_code, 1) << run.err;
  EXPECT_NE(run.out.find("  relay-external-sender: RCPT TO:<relayaudit-probe@relayaudit-external"
                         ".invalid> -> 250 2.1.5 Ok\n    opened by, e.g.: Postfix: mynetworks"),
            std::string::npos)
      << run.out;
}

TEST(ScanReports, StreamedReportsAreTheReportsOfResultsJson) {
  TempDir dir;
  const auto path = [&](const std::string& name) { return (dir.path() / name).string(); };
  const std::vector<std::string> formats = {"junit", "sarif", "markdown", "html"};
  std::vector<std::string> scan = {kBinary, "scan", "--lab", "-q", "-o", path("results.json")};
  std::vector<std::string> report = {kBinary, "report", path("results.json")};
  for (const auto& format : formats) {
    scan.insert(scan.end(), {"--" + format, path("scan." + format)});
    report.insert(report.end(), {"--" + format, path("report." + format)});
  }
  ASSERT_EQ(run_command(scan).exit_code, 1);
  ASSERT_EQ(run_command(report).exit_code, 1);
  for (const auto& format : formats) {
    const std::string streamed = read_file(path("scan." + format));
    ASSERT_GT(streamed.size(), 1000u) << format;
    EXPECT_TRUE(streamed == read_file(path("report." + format))) << format;
  }
}

TEST(ScanReports, ReportsNeedNoResultsFile) {
  TempDir dir;
  const std::string html = (dir.path() / "report.html").string();
  const auto run = run_command({kBinary, "scan", "127.0.0.1:1", "-q", "--html", html});
  EXPECT_EQ(run.exit_code, 3) << "unreachable: " << run.err;
  EXPECT_NE(read_file(html).find("<code>127.0.0.1:1</code>"), std::string::npos);
}

TEST(ScanReports, AnUnwritableReportIsExit4AndTheOthersAreStillWritten) {
  TempDir dir;
  const std::string results = (dir.path() / "results.json").string();
  const std::string markdown = (dir.path() / "summary.md").string();
  const auto run =
      // /dev/full passes every check before the scan and fails the write (ENOSPC) at the end.
      run_command({kBinary, "scan", "127.0.0.1:1", "-q", "-o", results, "--junit", "/dev/full",
                   "--markdown", markdown});
  EXPECT_EQ(run.exit_code, 4);
  EXPECT_NE(run.err.find("/dev/full"), std::string::npos) << run.err;
  // results.json was written: nothing needs rescuing.
  EXPECT_EQ(run.err.find("kept in"), std::string::npos) << run.err;
  EXPECT_FALSE(read_file(results).empty());
  EXPECT_FALSE(read_file(markdown).empty());
}

}  // namespace
}  // namespace relayaudit
