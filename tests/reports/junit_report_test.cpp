// render_junit against the JUnit schema (xmllint), from a real lab scan and from hostile text.
#include "reports/junit_report.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <pugixml.hpp>

#include "reports/results_json.hpp"
#include "support/process.hpp"
#include "support/report_consumers.hpp"
#include "support/report_validators.hpp"
#include "support/sample_scan.hpp"
#include "support/temp_dir.hpp"

namespace relayaudit {
namespace {

using nlohmann::json;
using testing::junit_schema_errors;
using testing::open_relay_endpoint;
using testing::run_command;
using testing::TempDir;
using testing::xmllint_available;

// Markup, CDATA end, quotes, controls XML 1.0 cannot carry, DEL, a C1 control (NEL), a bidi
// override, the noncharacter U+FFFE, and the document's own \xNN form of an invalid byte.
const std::string kHostile =
    "<script>alert(1)</script> ]]> </failure><failure type=\"x\"> &amp; \"q\" 'a' "
    "\x01\x08\x0b\x0c\x1b[31m\x7f \xc2\x85 \xe2\x80\xae \xef\xbf\xbe \\xff";
const std::string kHostileShown =
    "<script>alert(1)</script> ]]> </failure><failure type=\"x\"> &amp; \"q\" 'a' "
    "\\x01\\x08\\x0b\\x0c\\x1b[31m\\x7f \\xc2\\x85 \\xe2\\x80\\xae \\xef\\xbf\\xbe \\xff";

pugi::xml_document parse(const std::string& xml) {
  pugi::xml_document document;
  const auto parsed = document.load_string(xml.c_str());
  EXPECT_TRUE(parsed) << parsed.description() << " at " << parsed.offset;
  return document;
}

pugi::xml_node suite_named(const pugi::xml_document& document, const std::string& name) {
  return document.child("testsuites").find_child_by_attribute("testsuite", "name", name.c_str());
}

pugi::xml_node case_named(pugi::xml_node suite, const std::string& name) {
  return suite.find_child_by_attribute("testcase", "name", name.c_str());
}

// Every suite's counts agree with its cases, and the totals with the suites.
void expect_consistent_counts(const pugi::xml_document& document) {
  const pugi::xml_node suites = document.child("testsuites");
  int tests = 0;
  int failures = 0;
  int errors = 0;
  for (pugi::xml_node suite : suites.children("testsuite")) {
    int suite_tests = 0;
    int suite_failures = 0;
    int suite_errors = 0;
    int suite_skipped = 0;
    for (pugi::xml_node test_case : suite.children("testcase")) {
      ++suite_tests;
      suite_failures += test_case.child("failure") ? 1 : 0;
      suite_errors += test_case.child("error") ? 1 : 0;
      suite_skipped += test_case.child("skipped") ? 1 : 0;
    }
    EXPECT_EQ(suite.attribute("tests").as_int(), suite_tests) << suite.attribute("name").value();
    EXPECT_EQ(suite.attribute("failures").as_int(), suite_failures);
    EXPECT_EQ(suite.attribute("errors").as_int(), suite_errors);
    EXPECT_EQ(suite.attribute("skipped").as_int(), suite_skipped);
    tests += suite_tests;
    failures += suite_failures;
    errors += suite_errors;
  }
  EXPECT_EQ(suites.attribute("tests").as_int(), tests);
  EXPECT_EQ(suites.attribute("failures").as_int(), failures);
  EXPECT_EQ(suites.attribute("errors").as_int(), errors);
}

// No character an XML 1.0 reader refuses or a screen acts on, only line feeds as controls.
void expect_only_visible_characters(const std::string& xml) {
  for (std::size_t i = 0; i < xml.size(); ++i) {
    const auto byte = static_cast<unsigned char>(xml[i]);
    ASSERT_TRUE(byte >= 0x20 || byte == '\n') << "control byte " << int(byte) << " at " << i;
    ASSERT_NE(byte, 0x7f) << "DEL at " << i;
  }
  EXPECT_EQ(xml.find("\xc2\x85"), std::string::npos);
  EXPECT_EQ(xml.find("\xe2\x80\xae"), std::string::npos);
  EXPECT_EQ(xml.find("\xef\xbf\xbe"), std::string::npos);
}

TEST(JunitReport, SampleScanValidatesAgainstTheJUnitSchema) {
  REQUIRE_XMLLINT();
  const std::string xml = render_junit(results_to_json(testing::make_sample_scan()));
  EXPECT_EQ(junit_schema_errors(xml), "") << xml;
  EXPECT_EQ(junit_schema_errors(render_junit(results_to_json(ScanResult{}))), "");
}

TEST(JunitReport, TheSchemaCheckRejectsBrokenReports) {
  // Proves the validator really runs: each change must be caught.
  REQUIRE_XMLLINT();
  const std::string xml = render_junit(results_to_json(testing::make_sample_scan()));
  std::string no_type = xml;
  no_type.replace(no_type.find(" type=\"open-relay\""), 18, "");
  EXPECT_NE(junit_schema_errors(no_type), "");
  std::string bad_count = xml;
  bad_count.replace(bad_count.find("failures=\"1\""), 12, "failures=\"x\"");
  EXPECT_NE(junit_schema_errors(bad_count), "");
  std::string stray = xml;
  stray.replace(stray.find("<system-err"), 0, "<surprise />");
  EXPECT_NE(junit_schema_errors(stray), "");
}

TEST(JunitReport, AnInterruptedScanFailsTheScanCompleteCase) {
  ScanResult scan = testing::make_sample_scan();
  scan.complete = false;
  const std::string xml = render_junit(results_to_json(scan));
  const pugi::xml_document document = parse(xml);
  expect_consistent_counts(document);
  const pugi::xml_node run = suite_named(document, "scan");
  ASSERT_TRUE(run) << xml;
  EXPECT_STREQ(run.child("properties")
                   .find_child_by_attribute("property", "name", "relayaudit.complete")
                   .attribute("value")
                   .value(),
               "false");
  const pugi::xml_node failure = case_named(run, "scan complete").child("failure");
  ASSERT_TRUE(failure) << xml;
  EXPECT_STREQ(failure.attribute("type").value(), "incomplete");
  EXPECT_STREQ(failure.attribute("message").value(),
               "the scan was interrupted: 4 endpoint(s) finished; endpoints not listed were not "
               "audited");
  if (xmllint_available()) {
    EXPECT_EQ(junit_schema_errors(xml), "") << xml;
  }
}

TEST(JunitReport, ACompleteScanPassesTheScanCompleteCase) {
  const std::string xml = render_junit(results_to_json(testing::make_sample_scan()));
  const pugi::xml_document document = parse(xml);
  const pugi::xml_node run = suite_named(document, "scan");
  EXPECT_STREQ(run.child("properties")
                   .find_child_by_attribute("property", "name", "relayaudit.complete")
                   .attribute("value")
                   .value(),
               "true");
  const pugi::xml_node scan_complete = case_named(run, "scan complete");
  ASSERT_TRUE(scan_complete) << xml;
  EXPECT_FALSE(scan_complete.first_child()) << "a complete scan's case passes";
  EXPECT_STREQ(run.attribute("failures").value(), "0");
}

TEST(JunitReport, AnEndpointIsASuiteAndAScriptACase) {
  const json results = results_to_json(testing::make_sample_scan());
  const std::string xml = render_junit(results);
  const pugi::xml_document document = parse(xml);
  expect_consistent_counts(document);
  const pugi::xml_node suites = document.child("testsuites");
  EXPECT_STREQ(suites.attribute("name").value(), "relayaudit 0.1.0");
  EXPECT_STREQ(suites.attribute("time").value(), "2.500");

  // Worst verdict first, the unresolved targets last.
  std::vector<std::string> names;
  for (pugi::xml_node suite : suites.children("testsuite")) {
    names.push_back(suite.attribute("name").value());
  }
  EXPECT_EQ(names, (std::vector<std::string>{"mx1.example.com at 192.0.2.1:25", "192.0.2.3:25",
                                             "[2001:db8::25]:25", "192.0.2.2:25",
                                             "unresolved targets", "scan"}));

  const pugi::xml_node open = suite_named(document, "mx1.example.com at 192.0.2.1:25");
  EXPECT_STREQ(open.attribute("hostname").value(), "mx1.example.com");
  EXPECT_STREQ(open.attribute("timestamp").value(), "2024-05-01T12:00:00");
  const pugi::xml_node relayed = case_named(open, "relay-external-sender");
  EXPECT_STREQ(relayed.attribute("classname").value(),
               "mx1.example.com at 192.0.2.1:25.relay attempts");
  const pugi::xml_node failure = relayed.child("failure");
  ASSERT_TRUE(failure) << xml;
  EXPECT_STREQ(failure.attribute("type").value(), "open-relay");
  const std::string message = failure.attribute("message").value();
  EXPECT_NE(message.find("MAIL FROM:<audit@external.example> RCPT TO:<victim@elsewhere.example>"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("250 2.1.5 Ok \\xff\\xfe\\x1b[31m"), std::string::npos) << message;
  const std::string body = failure.text().get();
  EXPECT_NE(body.find("EHLO relayaudit.invalid\n"), std::string::npos) << body;
  EXPECT_NE(body.find("detail: the server accepted a recipient in a foreign domain"),
            std::string::npos)
      << body;
  EXPECT_NE(body.find("transcript:\nC: RCPT TO:<victim@elsewhere.example>\nS: 250 2.1.5 Ok"),
            std::string::npos)
      << body;
  // A control that passed is a plain passing case.
  EXPECT_FALSE(case_named(open, "control-postmaster").first_child()) << xml;

  const pugi::xml_node deferred =
      case_named(suite_named(document, "192.0.2.3:25"), "relay-external-sender");
  EXPECT_STREQ(deferred.child("error").attribute("type").value(), "inconclusive");
  EXPECT_NE(std::string(deferred.child("error").attribute("message").value())
                .find("deferred at rcpt (RCPT TO:<victim@elsewhere.example>): 450 4.7.1"),
            std::string::npos);

  const pugi::xml_node unreachable = suite_named(document, "[2001:db8::25]:25");
  const pugi::xml_node connect = case_named(unreachable, "connect");
  EXPECT_STREQ(connect.child("error").attribute("type").value(), "unreachable");
  EXPECT_NE(
      std::string(connect.child("error").attribute("message").value()).find("connection refused"),
      std::string::npos);

  const pugi::xml_node unresolved =
      case_named(suite_named(document, "unresolved targets"), "nxdomain.example");
  EXPECT_STREQ(unresolved.child("error").attribute("message").value(),
               "resolve-failed: no such domain (targets.txt:3)");
}

TEST(JunitReport, ProbesPassAndReportWhatTheyFound) {
  json results = results_to_json(testing::make_sample_scan());
  json& open = open_relay_endpoint(results);
  json probe = open["tests"][0];
  probe["id"] = "probe-unknown-local-recipient";
  probe["verdict"] = "info";
  results["scripts"]["probe-unknown-local-recipient"] = {
      {"title", "Probe"},      {"kind", "probe"},    {"trick", "probe"},
      {"tags", json::array()}, {"severity", "info"}, {"expect", "reject"}};
  open["tests"].push_back(probe);
  open["findings"] = json::array(
      {{{"id", "probe-unknown-local-recipient"}, {"severity", "info"}, {"message", "no checks"}}});
  const pugi::xml_document document = parse(render_junit(results));
  const pugi::xml_node probe_case = case_named(
      suite_named(document, "mx1.example.com at 192.0.2.1:25"), "probe-unknown-local-recipient");
  EXPECT_FALSE(probe_case.child("failure"));
  EXPECT_FALSE(probe_case.child("error"));
  EXPECT_EQ(std::string(probe_case.child("system-out").text().get()).rfind("no checks\n", 0), 0u);
}

TEST(JunitReport, UnreachableEndpointsSkipTheirScripts) {
  json results = results_to_json(testing::make_sample_scan());
  for (auto& endpoint : results["endpoints"]) {
    if (endpoint["verdict"] != "unreachable") continue;
    json blocked = open_relay_endpoint(results)["tests"][0];
    blocked["outcome"] = "error";
    blocked["stage"] = "connect";
    blocked["verdict"] = "inconclusive";
    blocked["reply"] = nullptr;
    endpoint["tests"].push_back(blocked);
  }
  const pugi::xml_document document = parse(render_junit(results));
  expect_consistent_counts(document);
  const pugi::xml_node suite = suite_named(document, "[2001:db8::25]:25");
  EXPECT_EQ(suite.attribute("tests").as_int(), 2);
  EXPECT_EQ(suite.attribute("errors").as_int(), 1);
  EXPECT_EQ(suite.attribute("skipped").as_int(), 1);
  EXPECT_TRUE(case_named(suite, "relay-external-sender").child("skipped"));
}

TEST(JunitReport, TestsThatNeverRanAreSkippedWithTheReason) {
  json results = results_to_json(testing::make_sample_scan());
  json& open = open_relay_endpoint(results);
  json blocked = open["tests"][0];
  blocked["id"] = "relay-null-sender";
  blocked["outcome"] = "blocked";
  blocked["stage"] = "mail";
  blocked["verdict"] = "inconclusive";
  blocked["reply"] = {
      {"code", 530}, {"enhanced", "5.7.0"}, {"lines", {"530 5.7.0 STARTTLS first"}}};
  blocked.erase("detail");
  json cut_off = blocked;
  cut_off["id"] = "relay-bang-path";
  cut_off["outcome"] = "error";
  cut_off["stage"] = "rcpt";
  cut_off["status"] = "protocol-error";
  cut_off["reply"] = nullptr;
  open["tests"].push_back(blocked);
  open["tests"].push_back(cut_off);
  const std::string xml = render_junit(results);
  const pugi::xml_document document = parse(xml);
  expect_consistent_counts(document);
  const pugi::xml_node suite = suite_named(document, "mx1.example.com at 192.0.2.1:25");
  EXPECT_EQ(suite.attribute("skipped").as_int(), 2);
  EXPECT_EQ(suite.attribute("errors").as_int(), 0);
  EXPECT_STREQ(case_named(suite, "relay-null-sender").child("skipped").attribute("message").value(),
               "not run: blocked at mail (MAIL FROM:<audit@external.example>): 530 5.7.0 "
               "STARTTLS first");
  EXPECT_STREQ(
      case_named(suite, "relay-bang-path").child("skipped").attribute("message").value(),
      "not run: error at rcpt, status protocol-error (RCPT TO:<victim@elsewhere.example>): "
      "no reply");
  // The accepted relay attempt stays a failure.
  EXPECT_TRUE(case_named(suite, "relay-external-sender").child("failure"));
  if (xmllint_available()) {
    EXPECT_EQ(junit_schema_errors(xml), "") << xml;
  }
}

TEST(JunitReport, AnInconclusiveEndpointWithNothingFailingStillDoesNotPass) {
  json results = results_to_json(testing::make_sample_scan());
  for (auto& endpoint : results["endpoints"]) {
    if (endpoint["verdict"] != "inconclusive") continue;
    for (auto& test : endpoint["tests"]) {
      test["outcome"] = "blocked";
      test["stage"] = "ehlo";
    }
  }
  const pugi::xml_document document = parse(render_junit(results));
  expect_consistent_counts(document);
  const pugi::xml_node suite = suite_named(document, "192.0.2.3:25");
  const pugi::xml_node verdict = case_named(suite, "proven closed");
  ASSERT_TRUE(verdict.child("error"));
  EXPECT_STREQ(verdict.child("error").attribute("type").value(), "inconclusive");
  EXPECT_STREQ(verdict.attribute("classname").value(), "192.0.2.3:25.verdict");
  EXPECT_EQ(suite.attribute("errors").as_int(), 1);
}

TEST(JunitReport, NamesSayWhatTheUserAskedForAndWhatTheServerCallsItself) {
  json results = results_to_json(testing::make_sample_scan());
  json& open = open_relay_endpoint(results);
  open["targets"] = {"example.com"};
  open["mail_domains"] = {"example.com"};
  open["ehlo"] = {{"server_domain", "gw7.internal.example"},
                  {"reply", {{"code", 250}, {"enhanced", nullptr}, {"lines", {"250 gw7"}}}}};
  const pugi::xml_document document = parse(render_junit(results));
  const std::string title =
      "example.com, MX mx1.example.com at 192.0.2.1:25, server "
      "gw7.internal.example";
  const pugi::xml_node suite = suite_named(document, title);
  ASSERT_TRUE(suite);
  EXPECT_STREQ(case_named(suite, "relay-external-sender").attribute("classname").value(),
               (title + ".relay attempts").c_str());
  EXPECT_STREQ(case_named(suite, "control-postmaster").attribute("classname").value(),
               (title + ".controls").c_str());
}

TEST(JunitReport, HostileServerTextIsInertAndLegalXml) {
  json results = results_to_json(testing::make_sample_scan());
  json& open = open_relay_endpoint(results);
  open["host_name"] = kHostile;
  open["verdict_reason"] = kHostile;
  open["banner"]["lines"] = {kHostile, "220 " + kHostile};
  json& test = open["tests"][0];
  results["scripts"]["relay-external-sender"]["title"] = kHostile;
  test["mail_from"] = kHostile;
  test["rcpt_to"] = {kHostile};
  test["detail"] = kHostile;
  test["reply"]["lines"] = {"250 " + kHostile};
  // kHostile ends in the document's form of an invalid byte, which the writer flags as escaped.
  testing::add_test_line(open, 0, json::array({120, 1, "S", kHostile, true}));
  results["unresolved"][0]["target"] = kHostile;
  results["unresolved"][0]["message"] = kHostile;

  const std::string xml = render_junit(results);
  expect_only_visible_characters(xml);
  const pugi::xml_document document = parse(xml);
  // The server's markup stayed text: no element of its own, the one failure is ours.
  EXPECT_FALSE(document.select_node("//script"));
  EXPECT_EQ(document.select_nodes("//failure").size(), 1u) << xml;
  const pugi::xml_node failure = document.select_node("//failure").node();
  EXPECT_STREQ(failure.attribute("type").value(), "open-relay");
  const std::string body = failure.text().get();
  EXPECT_NE(body.find("RCPT TO:<" + kHostileShown + ">"), std::string::npos) << body;
  EXPECT_NE(body.find("S: " + kHostileShown + "\n"), std::string::npos) << body;
  EXPECT_NE(std::string(failure.attribute("message").value()).find(kHostileShown),
            std::string::npos);
  EXPECT_EQ(
      std::string(document.select_node("//property[@name='banner']/@value").attribute().value()),
      kHostileShown + " (+1 lines)");

  if (xmllint_available()) {
    EXPECT_EQ(junit_schema_errors(xml), "") << xml;
  }
}

#ifdef RELAYAUDIT_BINARY

json scan_lab(const TempDir& dir) {
  return testing::scan_lab(RELAYAUDIT_BINARY, dir.path() / "lab.json");
}

TEST(JunitReport, RealLabScanValidatesAndCountsEveryTest) {
  REQUIRE_XMLLINT();
  TempDir dir;
  const json results = scan_lab(dir);
  const std::string xml = render_junit(results);
  EXPECT_EQ(junit_schema_errors(xml), "");
  expect_only_visible_characters(xml);
  const pugi::xml_document document = parse(xml);
  expect_consistent_counts(document);

  const json& summary = results["summary"];
  const pugi::xml_node suites = document.child("testsuites");
  EXPECT_EQ(suites.attribute("failures").as_int(), summary["tests_failed"].get<int>());
  // A suite per endpoint, and the run's own "scan" suite.
  EXPECT_EQ(static_cast<int>(suites.select_nodes("testsuite").size()),
            summary["endpoints"].get<int>() + 1);
  // Every test of every endpoint is a case; an unreachable endpoint adds its "connect" case,
  // the run its "scan complete" case.
  EXPECT_EQ(suites.attribute("tests").as_int(),
            summary["tests"].get<int>() + summary["unreachable"].get<int>() + 1);
  EXPECT_EQ(static_cast<int>(document.select_nodes("//testcase[@name='connect']").size()),
            summary["unreachable"].get<int>());

  // The binary-reply gateway's banner carries markup, ]]>, quotes, controls and invalid bytes.
  bool saw_hostile_banner = false;
  for (pugi::xpath_node property : document.select_nodes("//property[@name='banner']")) {
    const std::string banner = property.node().attribute("value").value();
    if (banner.find("<script>") == std::string::npos) continue;
    saw_hostile_banner = true;
    EXPECT_NE(banner.find("<script>alert(1)</script> ]]> \"quoted\" \\x01\\x07 \\xc3("),
              std::string::npos)
        << banner;
  }
  EXPECT_TRUE(saw_hostile_banner);
  EXPECT_FALSE(document.select_node("//script"));
  EXPECT_FALSE(document.select_node("//b"));
}

// A real JUnit reader (xunit-viewer's parser, as its CLI and viewer use it) reads every suite,
// every case and the status of each as the XML says: nothing merged, nothing lost.
TEST(JunitReport, RealLabScanReadsBackInAJUnitConsumer) {
  REQUIRE_JUNIT_CONSUMER();
  TempDir dir;
  const json results = scan_lab(dir);
  const std::string xml = render_junit(results);
  const pugi::xml_document document = parse(xml);
  const pugi::xml_node suites = document.child("testsuites");
  const auto reading = testing::read_junit_with_xunit_viewer(xml);
  ASSERT_TRUE(reading.ran) << reading.error;
  EXPECT_EQ(reading.suites, suites.select_nodes("testsuite").size());
  EXPECT_EQ(static_cast<int>(reading.tests), suites.attribute("tests").as_int());
  const auto count = [&reading](const std::string& status) {
    const auto found = reading.statuses.find(status);
    return found == reading.statuses.end() ? 0 : static_cast<int>(found->second);
  };
  EXPECT_EQ(count("failure"), results["summary"]["tests_failed"].get<int>());
  EXPECT_EQ(count("failure"), suites.attribute("failures").as_int());
  EXPECT_EQ(count("error"), suites.attribute("errors").as_int());
  EXPECT_EQ(count("skipped"),
            static_cast<int>(document.select_nodes("//testcase[skipped]").size()));
  // The lab's STARTTLS-only gateway blocks its plaintext scripts, the unreachable one all.
  EXPECT_GT(count("skipped"), 0);
  EXPECT_EQ(count("passed") + count("failure") + count("error") + count("skipped"),
            static_cast<int>(reading.tests));
  // Class names in words: no "relayaudit.127_0_0_1:25" any more.
  std::size_t relay_classes = 0;
  for (const std::string& name : reading.class_names) {
    EXPECT_EQ(name.find("127_0_0_1"), std::string::npos) << name;
    const std::string suffix = ".relay attempts";
    relay_classes += name.size() > suffix.size() &&
                     name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
  }
  EXPECT_EQ(static_cast<int>(relay_classes), results["summary"]["endpoints"].get<int>());
  EXPECT_TRUE(reading.suite_names.count(
      "127.0.0.1:" + std::to_string(results["endpoints"][1]["port"].get<int>()) +
      ", server open-2.lab.relayaudit.test"));
}

// `relayaudit report` (scanner/cli/report_command.cpp) writes every format; its tests live here
// with the JUnit ones. They skip while the binary has no `report` command.
class ReportCommand : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto help = run_command({RELAYAUDIT_BINARY, "report", "--help"});
    if (!help.succeeded() || help.out.find("--junit") == std::string::npos) {
      GTEST_SKIP() << "this relayaudit has no 'report' command yet";
    }
  }
  std::string path(const std::string& name) const { return (dir_.path() / name).string(); }
  testing::CommandResult report(std::vector<std::string> arguments) const {
    arguments.insert(arguments.begin(), {RELAYAUDIT_BINARY, "report"});
    return run_command(arguments);
  }
  TempDir dir_;
};

TEST_F(ReportCommand, RendersEveryFormatFromOneLabScan) {
  scan_lab(dir_);
  const auto run =
      report({path("lab.json"), "--junit", path("junit.xml"), "--sarif", path("relay.sarif"),
              "--markdown", path("summary.md"), "--html", path("report.html")});
  EXPECT_EQ(run.exit_code, 1) << run.describe() << "\n" << run.err;  // the lab has open relays
  const std::string xml = testing::read_file(path("junit.xml"));
  EXPECT_NE(xml.find("type=\"open-relay\""), std::string::npos);
  if (xmllint_available()) {
    EXPECT_EQ(junit_schema_errors(xml), "");
  }
  const json sarif = json::parse(testing::read_file(path("relay.sarif")));
  EXPECT_EQ(sarif["version"], "2.1.0");
  EXPECT_FALSE(sarif["runs"][0]["results"].empty());
  EXPECT_EQ(testing::read_file(path("summary.md")).rfind("## relayaudit: open relay found\n", 0),
            0u);
  EXPECT_EQ(testing::read_file(path("report.html")).rfind("<!DOCTYPE html>", 0), 0u);
}

TEST_F(ReportCommand, ExitCodeFollowsTheDocumentsVerdict) {
  json results = results_to_json(testing::make_sample_scan());
  testing::write_file(path("open.json"), results.dump());
  EXPECT_EQ(report({path("open.json"), "--junit", path("open.xml")}).exit_code, 1);
  results["summary"]["verdict"] = "inconclusive";
  testing::write_file(path("inconclusive.json"), results.dump());
  EXPECT_EQ(report({path("inconclusive.json"), "--markdown", path("summary.md")}).exit_code, 0);
  EXPECT_NE(testing::read_file(path("summary.md")).find("inconclusive"), std::string::npos);
}

TEST_F(ReportCommand, BadInputExits2NamingTheFile) {
  testing::write_file(path("broken.json"), "{\n  \"schema_version\": \"1.0\",\n  oops\n}\n");
  auto run = report({path("broken.json"), "--junit", path("out.xml")});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find(path("broken.json")), std::string::npos) << run.err;
  EXPECT_NE(run.err.find(path("broken.json") + ":3:"), std::string::npos) << run.err;
  EXPECT_FALSE(std::filesystem::exists(path("out.xml")));

  json future = results_to_json(testing::make_sample_scan());
  future["schema_version"] = "3.0";
  testing::write_file(path("future.json"), future.dump());
  run = report({path("future.json"), "--junit", path("out.xml")});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("schema_version \"3.0\""), std::string::npos) << run.err;

  testing::write_file(path("other.json"), "{\"hello\": 1}");
  run = report({path("other.json"), "--junit", path("out.xml")});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("not a relayaudit results document"), std::string::npos) << run.err;

  json partial = results_to_json(testing::make_sample_scan());
  partial.erase("endpoints");
  testing::write_file(path("partial.json"), partial.dump());
  run = report({path("partial.json"), "--junit", path("out.xml")});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("endpoints"), std::string::npos) << run.err;
  EXPECT_FALSE(std::filesystem::exists(path("out.xml")));

  run = report({path("missing.json"), "--junit", path("out.xml")});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find(path("missing.json")), std::string::npos) << run.err;

  testing::write_file(path("ok.json"), results_to_json(testing::make_sample_scan()).dump());
  run = report({path("ok.json")});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("--junit"), std::string::npos) << run.err;
}

TEST_F(ReportCommand, UnwritableOutputExits4AndStillWritesTheOthers) {
  testing::write_file(path("ok.json"), results_to_json(testing::make_sample_scan()).dump());
  // A missing directory is refused before anything is written (exit 2); a write that fails
  // anyway (a full disk: /dev/full) is exit 4, and the other formats are still written.
  const auto refused = report({path("ok.json"), "--junit", path("no-such-dir/junit.xml")});
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_NE(refused.err.find("no-such-dir does not exist"), std::string::npos) << refused.err;
  const auto run =
      report({path("ok.json"), "--junit", "/dev/full", "--markdown", path("summary.md")});
  EXPECT_EQ(run.exit_code, 4);
  EXPECT_NE(run.err.find("/dev/full"), std::string::npos) << run.err;
  EXPECT_FALSE(testing::read_file(path("summary.md")).empty());
}

#endif  // RELAYAUDIT_BINARY

}  // namespace
}  // namespace relayaudit

namespace relayaudit {
namespace {

// A failure says what to fix: the settings known to open the hole of the script that failed.
TEST(JunitReport, AFailureNamesTheSettingsThatOpenItsHole) {
  const std::string xml = render_junit(results_to_json(testing::make_sample_scan()));
  pugi::xml_document document;
  ASSERT_TRUE(document.load_string(xml.c_str()));
  bool found = false;
  for (const auto& suite : document.child("testsuites").children("testsuite")) {
    for (const auto& test_case : suite.children("testcase")) {
      const pugi::xml_node failure = test_case.child("failure");
      if (!failure) continue;
      const std::string body = failure.text().get();
      EXPECT_NE(body.find("what opens this hole (close it):\n  - "), std::string::npos) << body;
      found = found || body.find("Postfix: mynetworks") != std::string::npos;
    }
  }
  EXPECT_TRUE(found) << "the baseline's first setting";
}

}  // namespace
}  // namespace relayaudit
