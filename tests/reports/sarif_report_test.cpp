// render_sarif against the SARIF 2.1.0 schema (python3-jsonschema), from a lab scan and hostile
// text.
#include "reports/sarif_report.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <set>

#include "reports/results_json.hpp"
#include "results/tls_finding_catalog.hpp"
#include "support/process.hpp"
#include "support/report_consumers.hpp"
#include "support/report_validators.hpp"
#include "support/sample_scan.hpp"
#include "support/temp_dir.hpp"

namespace relayaudit {
namespace {

using nlohmann::json;
using testing::jsonschema_available;
using testing::open_relay_endpoint;
using testing::sarif_schema_errors;
using testing::TempDir;

const json& rule_named(const json& run, const std::string& id) {
  for (const auto& rule : run["tool"]["driver"]["rules"]) {
    if (rule["id"] == id) return rule;
  }
  throw std::logic_error("no rule " + id);
}

// "smtp/<address>_<port>" with only characters a relative URI path may hold unencoded.
// (No std::regex: GCC 12 warns inside it under the sanitizer build, and warnings are errors.)
bool is_pseudo_path(const std::string& uri) {
  const auto underscore = uri.rfind('_');
  if (uri.rfind("smtp/", 0) != 0 || underscore == std::string::npos || underscore <= 5) {
    return false;
  }
  const std::string address = uri.substr(5, underscore - 5);
  const std::string port = uri.substr(underscore + 1);
  const auto allowed = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 ||
           std::string_view("._~:%-").find(c) != std::string_view::npos;
  };
  return std::all_of(address.begin(), address.end(), allowed) && !port.empty() &&
         std::all_of(port.begin(), port.end(),
                     [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; });
}

// What GitHub code scanning needs beyond the schema: every result names a rule that exists,
// has a physical location with a relative URI, and a fingerprint unique within the run.
void expect_code_scanning_ready(const json& log) {
  const json& run = log["runs"][0];
  const json& rules = run["tool"]["driver"]["rules"];
  std::set<std::string> fingerprints;
  for (const auto& result : run["results"]) {
    const std::size_t index = result["ruleIndex"];
    ASSERT_LT(index, rules.size());
    EXPECT_EQ(rules[index]["id"], result["ruleId"]);
    const std::string uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"];
    EXPECT_TRUE(is_pseudo_path(uri)) << uri;
    EXPECT_FALSE(result["locations"][0]["logicalLocations"][0]["name"].get<std::string>().empty());
    EXPECT_TRUE(fingerprints.insert(result["partialFingerprints"].dump()).second)
        << result["partialFingerprints"];
    EXPECT_FALSE(result["message"]["text"].get<std::string>().empty());
  }
}

TEST(SarifReport, SampleScanValidatesAgainstTheSarifSchema) {
  REQUIRE_JSONSCHEMA();
  const std::string sarif = render_sarif(results_to_json(testing::make_sample_scan()));
  EXPECT_EQ(sarif_schema_errors(sarif), "") << sarif;
  EXPECT_EQ(sarif_schema_errors(render_sarif(results_to_json(ScanResult{}))), "");
}

TEST(SarifReport, TheSchemaCheckRejectsBrokenLogs) {
  // Proves the validator really runs: each change must be caught.
  REQUIRE_JSONSCHEMA();
  const json log = json::parse(render_sarif(results_to_json(testing::make_sample_scan())));
  json bad_level = log;
  bad_level["runs"][0]["results"][0]["level"] = "fatal";
  EXPECT_NE(sarif_schema_errors(bad_level.dump()), "");
  json no_message = log;
  no_message["runs"][0]["results"][0].erase("message");
  EXPECT_NE(sarif_schema_errors(no_message.dump()), "");
  json bad_version = log;
  bad_version["version"] = "2.0.0";
  EXPECT_NE(sarif_schema_errors(bad_version.dump()), "");
}

TEST(SarifReport, ARulePerScriptAndOneAlertPerOpenEndpoint) {
  const json log = json::parse(render_sarif(results_to_json(testing::make_sample_scan())));
  expect_code_scanning_ready(log);
  EXPECT_EQ(log["$schema"],
            "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/"
            "sarif-schema-2.1.0.json");
  const json& run = log["runs"][0];
  EXPECT_EQ(run["tool"]["driver"]["name"], "relayaudit");
  EXPECT_EQ(run["tool"]["driver"]["informationUri"], "https://github.com/relayaudit/relayaudit");
  EXPECT_EQ(run["tool"]["driver"]["version"], "0.1.0");
  EXPECT_EQ(run["invocations"][0]["executionSuccessful"], true);
  EXPECT_EQ(run["invocations"][0]["startTimeUtc"], "2024-05-01T12:00:00.123Z");

  std::vector<std::string> ids;
  for (const auto& rule : run["tool"]["driver"]["rules"]) ids.push_back(rule["id"]);
  EXPECT_EQ(ids,
            (std::vector<std::string>{"control-postmaster", "open-relay", "open-relay-unproven",
                                      "probe-findings", "relay-external-sender", "tls-findings"}));
  for (const auto& rule : run["tool"]["driver"]["rules"]) {
    EXPECT_EQ(rule["helpUri"].get<std::string>().rfind(
                  "https://github.com/relayaudit/relayaudit/blob/main/", 0),
              0u)
        << rule;
    EXPECT_FALSE(rule["help"]["markdown"].get<std::string>().empty()) << rule;
  }
  // A built-in script brings its library text; the document's test brings title and severity.
  const json& rule = rule_named(run, "relay-external-sender");
  EXPECT_EQ(rule["name"], "RelayExternalSender");
  EXPECT_EQ(rule["shortDescription"]["text"], "Test relay-external-sender");
  EXPECT_NE(rule["fullDescription"]["text"].get<std::string>().find("baseline open-relay test"),
            std::string::npos);
  EXPECT_NE(rule["help"]["text"].get<std::string>().find("Settings known to open this hole:"),
            std::string::npos);
  EXPECT_NE(rule["help"]["markdown"].get<std::string>().find(
                "**Settings known to open this hole**\n\n- "),
            std::string::npos)
      << rule["help"]["markdown"];
  EXPECT_EQ(rule["helpUri"],
            "https://github.com/relayaudit/relayaudit/blob/main/relaytests/core/"
            "relay-external-sender.json");
  EXPECT_EQ(rule["defaultConfiguration"]["level"], "error");
  EXPECT_EQ(rule["properties"]["security-severity"], "8.0");
  EXPECT_EQ(rule["properties"]["tags"][0], "security");

  ASSERT_EQ(run["results"].size(), 1u) << run["results"].dump(2);
  const json& result = run["results"][0];
  EXPECT_EQ(result["ruleId"], "open-relay");
  EXPECT_EQ(result["level"], "error");
  EXPECT_EQ(rule_named(run, "open-relay")["properties"]["security-severity"], "9.5");
  const std::string message = result["message"]["text"];
  EXPECT_NE(message.find("192.0.2.1:25 (mx1.example.com) relays mail for strangers: "
                         "MAIL FROM:<audit@external.example> RCPT TO:<victim@elsewhere.example> "
                         "was answered 250 2.1.5 Ok \\xff\\xfe\\x1b\\[31m"),
            std::string::npos)
      << message;
  const json& location = result["locations"][0];
  EXPECT_EQ(location["physicalLocation"]["artifactLocation"]["uri"], "smtp/192.0.2.1_25");
  EXPECT_EQ(location["logicalLocations"][0]["name"], "192.0.2.1:25");
  EXPECT_EQ(location["logicalLocations"][0]["fullyQualifiedName"], "mx1.example.com/192.0.2.1:25");
  ASSERT_EQ(result["properties"]["accepted"].size(), 1u);
  EXPECT_EQ(result["properties"]["accepted"][0]["script"], "relay-external-sender");
  EXPECT_EQ(result["properties"]["accepted"][0]["transcript"],
            "C: RCPT TO:<victim@elsewhere.example>\nS: 250 2.1.5 Ok \\xff\\xfe\\x1b[31m");
}

TEST(SarifReport, RuleLevelsFollowSeverityAndOneAlertNamesEveryAcceptedScript) {
  json results = results_to_json(testing::make_sample_scan());
  json& open = open_relay_endpoint(results);
  const json failing = open["tests"][0];
  open["tests"] = json::array();
  const std::vector<std::pair<std::string, std::string>> levels = {{"critical", "error"},
                                                                   {"high", "error"},
                                                                   {"medium", "warning"},
                                                                   {"low", "note"},
                                                                   {"info", "note"}};
  for (const auto& [severity, level] : levels) {
    json test = failing;
    test["id"] = "relay-" + severity;
    results["scripts"][test["id"].get<std::string>()] = {
        {"title", severity},     {"kind", "relay"},      {"trick", "baseline"},
        {"tags", json::array()}, {"severity", severity}, {"expect", "reject"}};
    open["tests"].push_back(test);
  }
  const json log = json::parse(render_sarif(results));
  const json& run = log["runs"][0];
  // An open relay is an error whatever its scripts' severities; the alert names them all.
  ASSERT_EQ(run["results"].size(), 1u);
  EXPECT_EQ(run["results"][0]["level"], "error");
  EXPECT_EQ(run["results"][0]["properties"]["accepted"].size(), levels.size());
  const std::string message = run["results"][0]["message"]["text"];
  EXPECT_NE(message.find("(relay-critical: critical). the server accepted a recipient in a "
                         "foreign domain. 4 more relay attempt(s) accepted: relay-high, "
                         "relay-medium, relay-low, relay-info"),
            std::string::npos)
      << message;
  for (const auto& [severity, level] : levels) {
    EXPECT_EQ(rule_named(run, "relay-" + severity)["defaultConfiguration"]["level"], level);
  }
}

TEST(SarifReport, FingerprintsDependOnEndpointAndRuleOnly) {
  const json base = results_to_json(testing::make_sample_scan());
  const auto fingerprint = [](const json& results) {
    return json::parse(render_sarif(results))["runs"][0]["results"][0]["partialFingerprints"];
  };
  // Another run against the same gateway: other times, another reply text.
  json later = base;
  later["started_at"] = "2024-06-01T00:00:00.000Z";
  open_relay_endpoint(later)["tests"][0]["reply"]["lines"] = {"250 accepted"};
  EXPECT_EQ(fingerprint(base), fingerprint(later));

  json other_endpoint = base;
  open_relay_endpoint(other_endpoint)["endpoint"] = "192.0.2.9:25";
  EXPECT_NE(fingerprint(base), fingerprint(other_endpoint));
  // The alert is the endpoint's: which scripts it accepted this time does not make a new one.
  json other_script = base;
  open_relay_endpoint(other_script)["tests"][0]["id"] = "relay-null-sender";
  EXPECT_EQ(fingerprint(base), fingerprint(other_script));
}

TEST(SarifReport, AnIpv6EndpointHasAValidPseudoPath) {
  json results = results_to_json(testing::make_sample_scan());
  json& open = open_relay_endpoint(results);
  open["address"] = "fe80::25%eth0";
  open["port"] = 2525;
  open["endpoint"] = "[fe80::25%eth0]:2525";
  const json log = json::parse(render_sarif(results));
  EXPECT_EQ(
      log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
      "smtp/fe80::25%25eth0_2525");
  expect_code_scanning_ready(log);
}

TEST(SarifReport, ProbeFindingsAreNotes) {
  json results = results_to_json(testing::make_sample_scan());
  open_relay_endpoint(results)["findings"] =
      json::array({{{"id", "probe-unknown-local-recipient"},
                    {"severity", "info"},
                    {"message", "RCPT TO:<nobody@mx1.example.com> was accepted"}}});
  const json log = json::parse(render_sarif(results));
  const json& run = log["runs"][0];
  ASSERT_EQ(run["results"].size(), 2u);
  const json& note = run["results"][1];
  EXPECT_EQ(note["ruleId"], "probe-findings");
  EXPECT_EQ(note["level"], "note");
  EXPECT_EQ(note["message"]["text"],
            "192.0.2.1:25 (mx1.example.com): RCPT TO:<nobody@mx1.example.com> was accepted");
  // The probe is a built-in script, so its rule exists with the library's text.
  EXPECT_EQ(rule_named(run, "probe-unknown-local-recipient")["defaultConfiguration"]["level"],
            "note");
  EXPECT_EQ(rule_named(run, "probe-findings")["defaultConfiguration"]["level"], "note");
  expect_code_scanning_ready(log);
}

TEST(SarifReport, HostileServerTextIsInert) {
  const std::string hostile =
      "[click](https://evil.example) <script>alert(1)</script> \"q\" \x01\x1b[2J\x7f \xe2\x80\xae";
  json results = results_to_json(testing::make_sample_scan());
  json& open = open_relay_endpoint(results);
  open["host_name"] = hostile;
  json& test = open["tests"][0];
  test["reply"]["lines"] = {"250 " + hostile};
  test["rcpt_to"] = {hostile};
  testing::add_test_line(open, 0, json::array({120, 1, "S", hostile}));
  const std::string sarif = render_sarif(results);
  const json log = json::parse(sarif);
  const std::string message = log["runs"][0]["results"][0]["message"]["text"];
  // SARIF turns "[text](target)" in a message into a link: the server's brackets are escaped.
  EXPECT_EQ(message.find("[click]"), std::string::npos) << message;
  EXPECT_NE(message.find("\\[click\\](https://evil.example) <script>alert(1)</script> \"q\" "
                         "\\x01\\x1b\\[2J\\x7f \\xe2\\x80\\xae"),
            std::string::npos)
      << message;
  for (unsigned char c : message) EXPECT_TRUE(c >= 0x20 && c != 0x7f) << int(c);
  EXPECT_EQ(sarif.find("\\u001b"), std::string::npos);  // no control reached the JSON either
  EXPECT_EQ(sarif.find("\xe2\x80\xae"), std::string::npos);
  expect_code_scanning_ready(log);
  if (jsonschema_available()) {
    EXPECT_EQ(sarif_schema_errors(sarif), "");
  }
}

// GitHub's limits for 10,000 endpoints with 1,000 open: every open endpoint accepts 30 relay
// attempts, and every endpoint has two TLS findings, a finding for a domain it refuses and a
// probe finding (4 results per endpoint at most: 31,000 in all, over the 25,000 GitHub takes).
TEST(SarifReport, TenThousandEndpointsStayInsideGitHubsLimits) {
  json results = results_to_json(testing::make_sample_scan());
  const json open_template = open_relay_endpoint(results);
  const json findings = json::array(
      {{{"id", "tls-self-signed-certificate"}, {"severity", "low"}, {"message", "self-signed"}},
       {{"id", "tls-host-name-mismatch"}, {"severity", "medium"}, {"message", "not named"}},
       {{"id", "mx-refuses-domain-mail"},
        {"severity", "medium"},
        {"domain", "example.com"},
        {"message", "refused postmaster@example.com"}},
       {{"id", "probe-unknown-local-recipient"}, {"severity", "info"}, {"message", "accepted"}}});
  json endpoints = json::array();
  for (int i = 0; i < 10000; ++i) {
    json endpoint = open_template;
    const std::string address =
        "10." + std::to_string(i / 256) + "." + std::to_string(i % 256) + ".1";
    endpoint["address"] = address;
    endpoint["endpoint"] = address + ":25";
    endpoint["findings"] = findings;
    // Text that differs per endpoint, as real replies and findings do, so gzip gains no more
    // than on a real fleet.
    for (json& finding : endpoint["findings"]) {
      finding["message"] = finding["message"].get<std::string>() + " on " + address + " (" +
                           std::to_string(i * 7919 % 100003) + ")";
    }
    const json failing = endpoint["tests"][0];
    endpoint["tests"] = json::array();
    for (int script = 0; script < 30; ++script) {
      json test = failing;
      test["id"] = "relay-variant-" + std::to_string(script);
      test["reply"]["lines"] = {"250 2.1.5 Ok queued as " + std::to_string(i * 31 + script * 977)};
      if (i >= 1000) test["verdict"] = "pass";
      endpoint["tests"].push_back(test);
    }
    if (i >= 1000) endpoint["verdict"] = "closed";
    endpoints.push_back(std::move(endpoint));
  }
  results["endpoints"] = std::move(endpoints);
  const std::string sarif = render_sarif(results);
  const json log = json::parse(sarif);
  const json& run = log["runs"][0];
  EXPECT_EQ(run["results"].size(), kSarifMaxResults);
  EXPECT_EQ(run["properties"]["resultsLeftOut"], 31000 - kSarifMaxResults);
  std::size_t open_alerts = 0;
  std::size_t notes = 0;
  for (const auto& result : run["results"]) {
    open_alerts += result["ruleId"] == "open-relay" ? 1 : 0;
    notes += result["level"] == "note" ? 1 : 0;
  }
  EXPECT_EQ(open_alerts, 1000u) << "every open relay is kept";
  EXPECT_EQ(notes, kSarifMaxResults - 1000 - 2 * 10000) << "the notes are what is left out";
  EXPECT_EQ(run["invocations"][0]["toolExecutionNotifications"][0]["descriptor"]["id"],
            "results-capped");
  // GitHub takes 10 MB gzipped; gzip is how it is measured (the upload gzips the file).
  TempDir dir;
  const auto file = dir.write("fleet.sarif", sarif);
  const auto gzipped = testing::run_command({"gzip", "-c", file.string()});
  ASSERT_TRUE(gzipped.succeeded()) << gzipped.describe();
  EXPECT_LT(gzipped.out.size(), 10u * 1000 * 1000);
  std::cout << "10,000 endpoints, 1,000 open: " << run["results"].size() << " results, "
            << sarif.size() << " bytes, " << gzipped.out.size() << " gzipped\n";
}

#ifdef RELAYAUDIT_BINARY

// The results a document should give: per endpoint one relay alert when it accepted relay
// attempts, one for its TLS findings, one for its domain findings, one for its probe findings.
std::size_t expected_result_count(const json& results) {
  std::size_t count = 0;
  for (const auto& endpoint : results["endpoints"]) {
    bool failed = false;
    for (const auto& test : endpoint["tests"]) failed = failed || test["verdict"] == "fail";
    bool tls = false;
    bool domain = false;
    bool probe = false;
    for (const auto& finding : endpoint.value("findings", json::array())) {
      const std::string id = finding["id"];
      if (is_tls_finding(id)) {
        tls = true;
      } else if (finding.contains("domain") || id == "mx-refuses-domain-mail") {
        domain = true;
      } else {
        probe = true;
      }
    }
    count += std::size_t{failed} + tls + domain + probe;
  }
  return count;
}

TEST(SarifReport, RealLabScanValidatesWithOneAlertPerEndpointAndRule) {
  REQUIRE_JSONSCHEMA();
  TempDir dir;
  const json results = testing::scan_lab(RELAYAUDIT_BINARY, dir.path() / "lab.json");
  ASSERT_FALSE(HasFailure());
  const std::string sarif = render_sarif(results);
  EXPECT_EQ(sarif_schema_errors(sarif), "");
  const json log = json::parse(sarif);
  expect_code_scanning_ready(log);

  std::set<std::string> open_endpoints;
  for (const auto& endpoint : results["endpoints"]) {
    if (endpoint["verdict"] == "open-relay") open_endpoints.insert(endpoint["endpoint"]);
  }
  ASSERT_FALSE(open_endpoints.empty());
  const json& run = log["runs"][0];
  EXPECT_EQ(run["results"].size(), expected_result_count(results));
  // A rule per script, one per TLS finding id (the lab's certificate is self-signed), and the
  // four endpoint-level rules.
  std::set<std::string> tls_ids;
  for (const auto& endpoint : results["endpoints"]) {
    for (const auto& finding : endpoint.value("findings", json::array())) {
      if (is_tls_finding(finding["id"].get<std::string>())) tls_ids.insert(finding["id"]);
    }
  }
  EXPECT_FALSE(tls_ids.empty());
  EXPECT_EQ(run["tool"]["driver"]["rules"].size(), results["scripts"].size() + tls_ids.size() + 4);
  std::set<std::string> alerted;
  for (const auto& result : run["results"]) {
    if (result["ruleId"] != "open-relay") continue;
    const std::string endpoint = result["locations"][0]["logicalLocations"][0]["name"];
    EXPECT_TRUE(alerted.insert(endpoint).second) << "one open-relay alert per endpoint";
    EXPECT_EQ(result["level"], "error");
  }
  EXPECT_EQ(alerted, open_endpoints);
}

// GitHub's own checks of an upload, as Microsoft's SARIF multitool makes them.
TEST(SarifReport, RealLabScanPassesTheGitHubUploadChecksOfTheSarifMultitool) {
  REQUIRE_SARIF_MULTITOOL();
  TempDir dir;
  const json results = testing::scan_lab(RELAYAUDIT_BINARY, dir.path() / "lab.json");
  ASSERT_FALSE(HasFailure());
  const std::string sarif = render_sarif(results);
  const auto validation = testing::validate_sarif_for_github(sarif);
  ASSERT_TRUE(validation.ran) << validation.error;
  EXPECT_EQ(validation.errors, 0) << validation.problems;
  EXPECT_EQ(validation.warnings, 0) << validation.problems;

  // Proves the checks run: without $schema the multitool reports GitHub's GH1013 as an error.
  json no_schema = json::parse(sarif);
  no_schema.erase("$schema");
  const auto broken = testing::validate_sarif_for_github(no_schema.dump(2));
  ASSERT_TRUE(broken.ran) << broken.error;
  EXPECT_GE(broken.errors, 1);
  EXPECT_TRUE(broken.rules.count("GH1013")) << broken.problems;
}

#endif  // RELAYAUDIT_BINARY

}  // namespace
}  // namespace relayaudit
