// render_sarif against the SARIF 2.1.0 schema (python3-jsonschema), from a lab scan and hostile
// text.
#include "reports/sarif_report.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <set>

#include "reports/results_json.hpp"
#include "results/tls_finding_catalog.hpp"
#include "support/process.hpp"
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

TEST(SarifReport, ARulePerScriptAndAResultPerOpenEndpointAndFailingScript) {
  const json log = json::parse(render_sarif(results_to_json(testing::make_sample_scan())));
  expect_code_scanning_ready(log);
  const json& run = log["runs"][0];
  EXPECT_EQ(run["tool"]["driver"]["name"], "relayaudit");
  EXPECT_EQ(run["tool"]["driver"]["version"], "0.1.0");
  EXPECT_EQ(run["invocations"][0]["executionSuccessful"], true);
  EXPECT_EQ(run["invocations"][0]["startTimeUtc"], "2024-05-01T12:00:00.123Z");

  std::vector<std::string> ids;
  for (const auto& rule : run["tool"]["driver"]["rules"]) ids.push_back(rule["id"]);
  EXPECT_EQ(ids, (std::vector<std::string>{"control-postmaster", "relay-external-sender"}));
  // A built-in script brings its library text; the document's test brings title and severity.
  const json& rule = rule_named(run, "relay-external-sender");
  EXPECT_EQ(rule["name"], "RelayExternalSender");
  EXPECT_EQ(rule["shortDescription"]["text"], "Test relay-external-sender");
  EXPECT_NE(rule["fullDescription"]["text"].get<std::string>().find("baseline open-relay test"),
            std::string::npos);
  EXPECT_NE(rule["help"]["text"].get<std::string>().find("Settings known to open this hole:"),
            std::string::npos);
  EXPECT_EQ(rule["defaultConfiguration"]["level"], "error");
  EXPECT_EQ(rule["properties"]["security-severity"], "8.0");
  EXPECT_EQ(rule["properties"]["tags"][0], "security");

  ASSERT_EQ(run["results"].size(), 1u) << run["results"].dump(2);
  const json& result = run["results"][0];
  EXPECT_EQ(result["ruleId"], "relay-external-sender");
  EXPECT_EQ(result["level"], "error");
  const std::string message = result["message"]["text"];
  EXPECT_NE(message.find("192.0.2.1:25 (mx1.example.com) relays mail: "
                         "MAIL FROM:<audit@external.example> RCPT TO:<victim@elsewhere.example> "
                         "was answered 250 2.1.5 Ok \\xff\\xfe\\x1b\\[31m"),
            std::string::npos)
      << message;
  const json& location = result["locations"][0];
  EXPECT_EQ(location["physicalLocation"]["artifactLocation"]["uri"], "smtp/192.0.2.1_25");
  EXPECT_EQ(location["logicalLocations"][0]["name"], "192.0.2.1:25");
  EXPECT_EQ(location["logicalLocations"][0]["fullyQualifiedName"], "mx1.example.com/192.0.2.1:25");
  EXPECT_EQ(result["properties"]["transcript"],
            "C: RCPT TO:<victim@elsewhere.example>\nS: 250 2.1.5 Ok \\xff\\xfe\\x1b[31m");
}

TEST(SarifReport, LevelsFollowSeverity) {
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
  ASSERT_EQ(run["results"].size(), levels.size());
  for (std::size_t i = 0; i < levels.size(); ++i) {
    EXPECT_EQ(run["results"][i]["level"], levels[i].second) << levels[i].first;
    EXPECT_EQ(rule_named(run, "relay-" + levels[i].first)["defaultConfiguration"]["level"],
              levels[i].second);
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
  json other_rule = base;
  open_relay_endpoint(other_rule)["tests"][0]["id"] = "relay-null-sender";
  EXPECT_NE(fingerprint(base), fingerprint(other_rule));
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
  EXPECT_EQ(note["ruleId"], "probe-unknown-local-recipient");
  EXPECT_EQ(note["level"], "note");
  EXPECT_EQ(note["message"]["text"],
            "192.0.2.1:25 (mx1.example.com): RCPT TO:<nobody@mx1.example.com> was accepted");
  // The probe is a built-in script, so its rule exists with the library's text.
  EXPECT_EQ(rule_named(run, "probe-unknown-local-recipient")["defaultConfiguration"]["level"],
            "note");
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

#ifdef RELAYAUDIT_BINARY

TEST(SarifReport, RealLabScanValidatesWithAnAlertPerFailingScript) {
  REQUIRE_JSONSCHEMA();
  TempDir dir;
  const json results = testing::scan_lab(RELAYAUDIT_BINARY, dir.path() / "lab.json");
  ASSERT_FALSE(HasFailure());
  const std::string sarif = render_sarif(results);
  EXPECT_EQ(sarif_schema_errors(sarif), "");
  const json log = json::parse(sarif);
  expect_code_scanning_ready(log);

  std::size_t findings = 0;
  std::set<std::string> open_endpoints;
  for (const auto& endpoint : results["endpoints"]) {
    if (endpoint.contains("findings")) findings += endpoint["findings"].size();
    if (endpoint["verdict"] == "open-relay") open_endpoints.insert(endpoint["endpoint"]);
  }
  const json& run = log["runs"][0];
  EXPECT_EQ(run["results"].size(),
            results["summary"]["tests_failed"].get<std::size_t>() + findings);
  // A rule per script, and one per TLS finding id (the lab's certificate is self-signed).
  std::set<std::string> tls_ids;
  for (const auto& endpoint : results["endpoints"]) {
    for (const auto& finding : endpoint.value("findings", json::array())) {
      if (is_tls_finding(finding["id"].get<std::string>())) tls_ids.insert(finding["id"]);
    }
  }
  EXPECT_FALSE(tls_ids.empty());
  EXPECT_EQ(run["tool"]["driver"]["rules"].size(), results["scripts"].size() + tls_ids.size());
  for (const auto& result : run["results"]) {
    // TLS findings concern closed gateways too; every other alert is an open relay's.
    if (result["level"] == "note" || tls_ids.count(result["ruleId"])) continue;
    EXPECT_TRUE(open_endpoints.count(result["locations"][0]["logicalLocations"][0]["name"]))
        << result.dump();
  }
}

#endif  // RELAYAUDIT_BINARY

}  // namespace
}  // namespace relayaudit
