// Results written by relayaudit 1.x still load: a real 1.3 document and its --jsonl stream
// (tests/reports/fixtures, made by a 1.3 build: `relayaudit lab --profile closed open
// extra-reply-mid-batch binary-reply starttls-offered` scanned with `--tests
// core,relay-percent-hack-ip -o results-1.3.json --jsonl stream-1.3.jsonl`). The 1.3 document
// renders every format, its upgrade keeps every line, and a 2.0 document of the same scan
// (--resume of the 1.3 stream) diffs against it with no difference and renders the same proofs.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <pugixml.hpp>

#include "reports/document_view.hpp"
#include "reports/endpoint_shape.hpp"
#include "reports/results_upgrade.hpp"
#include "support/process.hpp"
#include "support/relayaudit_binary.hpp"
#include "support/report_validators.hpp"
#include "support/temp_dir.hpp"

namespace relayaudit {
namespace {

using nlohmann::json;
using testing::kBinary;
using testing::read_file;
using testing::run_command;

const std::string kFixtures = std::string(RELAYAUDIT_SOURCE_DIR) + "/tests/reports/fixtures/";

json fixture_13() {
  return json::parse(read_file(kFixtures + "results-1.3.json"));
}

// A 1.x line object as the 2.0 tuple it becomes.
json tuple_of(const json& line) {
  json tuple = {line["t_ms"], line["session"], line["dir"], line["line"]};
  if (line.value("escaped", false)) tuple.push_back(true);
  return tuple;
}

TEST(Results1x, TheUpgradeKeepsEveryLineAndEachTestsOwnLines) {
  const json old = fixture_13();
  ASSERT_EQ(old["schema_version"], "1.3");
  const json upgraded = upgrade_results(old);
  ASSERT_EQ(upgraded["endpoints"].size(), old["endpoints"].size());
  int test_only_lines = 0;
  for (std::size_t e = 0; e < old["endpoints"].size(); ++e) {
    const json& before = old["endpoints"][e];
    const json& after = upgraded["endpoints"][e];
    SCOPED_TRACE(before["endpoint"].get<std::string>());
    EXPECT_EQ(endpoint_shape_problem(after), std::nullopt);
    std::map<std::string, int> written;
    for (const json& line : after["transcript"]) ++written[line.dump()];
    for (const json& line : before["transcript"]) EXPECT_GT(written[tuple_of(line).dump()]--, 0);
    for (std::size_t t = 0; t < before["tests"].size(); ++t) {
      const json& test = after["tests"][t];
      for (const char* key : {"title", "kind", "trick", "tags", "severity", "expect", "transcript"})
        EXPECT_FALSE(test.contains(key)) << key;
      json lines = json::array();
      for (const json* line : test_lines(after, test)) lines.push_back(*line);
      json expected = json::array();
      for (const json& line : before["tests"][t]["transcript"]) expected.push_back(tuple_of(line));
      EXPECT_EQ(lines, expected) << test["id"];
      // The script's facts moved to the top level, once.
      const json& facts = upgraded["scripts"][test["id"].get<std::string>()];
      EXPECT_EQ(facts["title"], before["tests"][t]["title"]);
      EXPECT_EQ(facts["severity"], before["tests"][t]["severity"]);
    }
    for (const auto& [line, left] : written) test_only_lines += left;
  }
  // The out-of-step gateway's notes were in its tests only; now they are in its transcript.
  EXPECT_GT(test_only_lines, 0);
  EXPECT_EQ(upgraded["scripts"]["control-postmaster"]["source"],
            "builtin:core/control-postmaster.json");
  EXPECT_FALSE(upgraded["run"].contains("scripts"));
}

// The 1.3 fixture, and a 2.0 document of the same scan: --resume of its 1.3 stream, with every
// endpoint already audited, writes them into a 2.0 results.json.
class SameScanIn13And20 : public ::testing::Test {
 protected:
  void SetUp() override {
    stream_ = dir_.write("stream.jsonl", read_file(kFixtures + "stream-1.3.jsonl")).string();
    const auto resumed = run_command({kBinary, "scan", "-q", "-f", kFixtures + "targets-1.3.txt",
                                      "--tests", "core,relay-percent-hack-ip", "--resume", stream_,
                                      "-o", path("results-2.0.json")});
    ASSERT_EQ(resumed.exit_code, 1) << resumed.err;  // the open gateway
  }
  std::string path(const std::string& name) const { return (dir_.path() / name).string(); }
  // Renders `results` in every format into files named <prefix>.<format>.
  void report(const std::string& results, const std::string& prefix) const {
    const auto run = run_command({kBinary, "report", results, "--html", path(prefix + ".html"),
                                  "--junit", path(prefix + ".xml"), "--sarif",
                                  path(prefix + ".sarif"), "--markdown", path(prefix + ".md")});
    EXPECT_EQ(run.exit_code, 1) << run.err;
  }
  testing::TempDir dir_;
  std::string stream_;
};

TEST_F(SameScanIn13And20, TheResumedDocumentIs20AndValidates) {
  const json current = json::parse(read_file(path("results-2.0.json")));
  EXPECT_EQ(current["schema_version"], "2.0");
  EXPECT_EQ(current["summary"], fixture_13()["summary"]);
  for (const json& endpoint : current["endpoints"]) {
    EXPECT_EQ(endpoint_shape_problem(endpoint), std::nullopt) << endpoint["endpoint"];
  }
  if (testing::jsonschema_available()) {
    EXPECT_EQ(testing::results_schema_errors(read_file(path("results-2.0.json"))), "");
  }
  // The stream goes on in 2.0: a header line, after the 1.3 lines, for the run that resumed it.
  const std::string text = read_file(stream_);
  EXPECT_EQ(text.rfind(read_file(kFixtures + "stream-1.3.jsonl"), 0), 0u);
  const json header = json::parse(text.substr(read_file(kFixtures + "stream-1.3.jsonl").size()));
  EXPECT_EQ(header["schema_version"], "2.0");
  EXPECT_TRUE(header["scripts"].contains("control-postmaster"));
}

TEST_F(SameScanIn13And20, DiffFindsNoDifference) {
  for (const auto& [baseline, current] :
       {std::pair{kFixtures + "results-1.3.json", path("results-2.0.json")},
        std::pair{path("results-2.0.json"), kFixtures + "results-1.3.json"}}) {
    const auto run = run_command({kBinary, "diff", "--json", baseline, current});
    EXPECT_EQ(run.exit_code, 0) << run.err;
    const json diff = json::parse(run.out);
    for (const char* list : {"new_open_relays", "newly_failing", "fixed", "no_longer_failing",
                             "other_changes", "added", "removed"}) {
      EXPECT_TRUE(diff[list].empty()) << list << ": " << diff[list].dump();
    }
  }
}

// Each endpoint's section of an HTML report, without the anchors its place in the document
// numbers, in endpoint order.
std::vector<std::string> endpoint_sections(const std::string& html) {
  std::vector<std::string> sections;
  const std::string open = "<section class=\"endpoint\"";
  for (auto at = html.find(open); at != std::string::npos; at = html.find(open, at + 1)) {
    const std::string section = html.substr(at, html.find("</section>", at) - at);
    sections.push_back(std::regex_replace(section, std::regex("ep-[0-9]+"), "ep-N"));
  }
  std::sort(sections.begin(), sections.end());
  return sections;
}

// Every testcase of the endpoint suites, as XML, sorted (suite timestamps follow the run's start).
std::vector<std::string> junit_cases(const std::string& xml) {
  pugi::xml_document document;
  document.load_string(xml.c_str());
  std::vector<std::string> cases;
  for (const auto& suite :
       document.select_nodes("//testsuite[properties/property[@name='endpoint']]")) {
    for (const auto& test_case : suite.node().children("testcase")) {
      std::ostringstream out;
      test_case.print(out);
      cases.push_back(out.str());
    }
  }
  std::sort(cases.begin(), cases.end());
  return cases;
}

// The Markdown section that shows the open relays' evidence.
std::string open_relays(const std::string& markdown) {
  const auto start = markdown.find("### Open relays");
  if (start == std::string::npos) return "";
  return markdown.substr(start, markdown.find("\n### ", start + 1) - start);
}

TEST_F(SameScanIn13And20, Both13And20RenderEveryFormatWithTheSameProofs) {
  report(kFixtures + "results-1.3.json", "old");
  report(path("results-2.0.json"), "new");
  // The 1.3 document's reports are valid for their consumers.
  const std::string old_xml = read_file(path("old.xml"));
  if (testing::xmllint_available()) {
    EXPECT_EQ(testing::junit_schema_errors(old_xml), "");
  }
  if (testing::jsonschema_available()) {
    EXPECT_EQ(testing::sarif_schema_errors(read_file(path("old.sarif"))), "");
  }
  if (testing::cmark_available()) {
    EXPECT_NE(testing::render_with_cmark(read_file(path("old.md"))).find("<h3>Open relays</h3>"),
              std::string::npos);
  }
  // The endpoints read the same, proofs and transcripts included; only the run around differs.
  const std::string old_html = read_file(path("old.html"));
  const std::string new_html = read_file(path("new.html"));
  // A resumed document lists the endpoints of the stream in the order they finished.
  ASSERT_EQ(endpoint_sections(old_html).size(), 5u);
  EXPECT_EQ(endpoint_sections(old_html), endpoint_sections(new_html));
  EXPECT_NE(old_html.find("Proof: <code>"), std::string::npos);
  EXPECT_NE(old_html.find("From session "), std::string::npos);
  // 34 script runs, and the "proven closed" case of the inconclusive endpoint whose tests
  // never reached RCPT TO (skipped).
  ASSERT_EQ(junit_cases(old_xml).size(), 35u);
  EXPECT_EQ(junit_cases(old_xml), junit_cases(read_file(path("new.xml"))));
  EXPECT_NE(old_xml.find("transcript:\nC: MAIL FROM:"), std::string::npos);
  const json old_sarif = json::parse(read_file(path("old.sarif")));
  const json new_sarif = json::parse(read_file(path("new.sarif")));
  ASSERT_FALSE(old_sarif["runs"][0]["results"].empty());
  EXPECT_EQ(old_sarif["runs"][0]["results"], new_sarif["runs"][0]["results"]);
  EXPECT_EQ(old_sarif["runs"][0]["tool"]["driver"]["rules"],
            new_sarif["runs"][0]["tool"]["driver"]["rules"]);
  const std::string old_md = read_file(path("old.md"));
  ASSERT_NE(open_relays(old_md).find("Transcript of "), std::string::npos) << old_md;
  EXPECT_EQ(open_relays(old_md), open_relays(read_file(path("new.md"))));
}

}  // namespace
}  // namespace relayaudit
