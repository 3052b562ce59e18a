// Every report of a real lab scan of TLS gateways: the results schema (2.0), the TLS column of
// Markdown (rendered by cmark-gfm), HTML and the terminal, SARIF rules and levels, JUnit
// properties, and distinct rows when one script ran on both paths.
#include <gtest/gtest.h>

#include <pugixml.hpp>

#include <set>
#include <sstream>
#include <stdexcept>
#include <string>

#include "reports/html_report.hpp"
#include "reports/junit_report.hpp"
#include "reports/markdown_report.hpp"
#include "reports/results_json.hpp"
#include "reports/sarif_report.hpp"
#include "reports/text_summary.hpp"
#include "results/tls_finding_catalog.hpp"
#include "support/lab_audit.hpp"
#include "support/report_validators.hpp"

namespace relayaudit {
namespace {

using nlohmann::json;

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

struct TlsLab {
  testing::LabAuditRun run;
  json document;
};

// One gateway per TLS case, scanned once for every test; wrong-host-cert by name (localhost) so
// its certificate's names are checked, smtps as smtps://.
const TlsLab& tls_lab() {
  static const TlsLab lab = [] {
    AuditOptions options = testing::fast_audit_options();
    options.session.tls_context = &testing::tls_client_context();
    options.session.timeouts.tls = Millis{1000};
    TlsLab made;
    made.run = testing::run_lab_audit(
        {LabGatewayConfig{LabProfile::expired_cert, "127.0.0.1", 0},
         LabGatewayConfig{LabProfile::wrong_host_cert, "127.0.0.1", 0},
         LabGatewayConfig{LabProfile::starttls_broken, "127.0.0.1", 0},
         LabGatewayConfig{LabProfile::starttls_extra_reply, "127.0.0.1", 0},
         LabGatewayConfig{LabProfile::closed, "127.0.0.1", 0},
         LabGatewayConfig{LabProfile::smtps, "127.0.0.1", 0}},
        options, {}, {"localhost:{1.port}", "smtps://{5}"}, 64, testing::core_scripts());
    EXPECT_TRUE(made.run.loop_closed_cleanly);
    made.document = results_to_json(made.run.result);
    return made;
  }();
  return lab;
}

// The endpoint object of the gateway with `profile` (at 127.0.0.1: localhost may add ::1).
const json& endpoint_of(LabProfile profile) {
  for (const LabGateway& gateway : tls_lab().run.gateways) {
    if (gateway.profile != profile) continue;
    for (const json& endpoint : tls_lab().document["endpoints"]) {
      if (endpoint["port"] == gateway.port && endpoint["address"] == "127.0.0.1") return endpoint;
    }
  }
  throw std::runtime_error("no endpoint for " + std::string(to_string(profile)));
}

std::set<std::string> finding_ids(const json& endpoint) {
  std::set<std::string> ids;
  for (const json& finding : endpoint.value("findings", json::array())) ids.insert(finding["id"]);
  return ids;
}

TEST(TlsReports, TheResultsDocumentIs20AndValidates) {
  REQUIRE_JSONSCHEMA();
  const json& doc = tls_lab().document;
  EXPECT_EQ(doc["schema_version"], "2.0");
  EXPECT_EQ(testing::results_schema_errors(doc.dump()), "");
  const json& closed = endpoint_of(LabProfile::closed);
  // Nothing TLS was seen on a plaintext gateway without STARTTLS; a tls block with a policy
  // comes once the session records one (starttls_policy "absent").
  EXPECT_FALSE(closed.contains("tls") && closed["tls"]["established"] == true);
  const json& expired = endpoint_of(LabProfile::expired_cert);
  EXPECT_EQ(expired["tls"]["detected"], false);
  EXPECT_TRUE(finding_ids(expired).count(kFindingTlsExpired)) << expired["findings"];
  EXPECT_EQ(expired["verdict"], "closed");
  // A document with a TLS policy the schema does not know is refused: the enum is checked.
  json bad = doc;
  for (json& endpoint : bad["endpoints"]) {
    if (endpoint.contains("tls")) endpoint["tls"]["starttls_policy"] = "sometimes";
  }
  EXPECT_NE(testing::results_schema_errors(bad.dump()), "");
  json probed = doc;
  for (json& endpoint : probed["endpoints"]) {
    if (!endpoint.contains("tls")) continue;
    endpoint["tls"]["starttls_policy"] = "offered";
    endpoint["tls"]["probes"] = {
        {"versions", {{{"version", "TLSv1"}, {"accepted", true}, {"detail", nullptr}}}},
        {"starttls_injection", false},
        {"injection_detail", nullptr}};
  }
  EXPECT_EQ(testing::results_schema_errors(probed.dump()), "");
}

TEST(TlsReports, MarkdownHasATlsColumnThatCmarkRendersAsOneCell) {
  REQUIRE_CMARK();
  const std::string markdown = render_markdown(tls_lab().document);
  EXPECT_TRUE(contains(markdown, "| verdict | endpoint | host | TLS | banner | reason |"));
  // "(!)": a TLS finding exists; the parentheses and the bang are escaped outside code.
  EXPECT_TRUE(contains(markdown, "| TLSv1\\.3 \\(\\!\\) |")) << markdown;
  EXPECT_TRUE(contains(markdown, "| STARTTLS failed \\(\\!\\) |")) << markdown;
  EXPECT_TRUE(contains(markdown, "| implicit TLSv1\\.3 \\(\\!\\) |")) << markdown;
  EXPECT_TRUE(contains(markdown, "| none |")) << markdown;
  const std::string html = testing::render_with_cmark(markdown);
  EXPECT_TRUE(contains(html, "<th>TLS</th>")) << html;
  EXPECT_TRUE(contains(html, "<td>STARTTLS failed (!)</td>")) << html;
  EXPECT_TRUE(contains(html, "<td>implicit TLSv1.3 (!)</td>")) << html;
  EXPECT_TRUE(contains(html, "<code>" + std::string(kFindingTlsExpired) + "</code>")) << html;
  EXPECT_TRUE(contains(html, "<code>" + std::string(kFindingTlsHostMismatch) + "</code>"));
}

TEST(TlsReports, HtmlShowsATlsBlockPerEndpointAndATlsColumn) {
  const std::string html = render_html(tls_lab().document);
  EXPECT_TRUE(contains(html, "<th>Verdict</th><th>TLS</th>"));
  EXPECT_TRUE(contains(html, "<td class=\"tls\">TLSv1.3 (!)</td>"));
  EXPECT_TRUE(contains(html, "<td class=\"tls\">STARTTLS failed (!)</td>"));
  const json& expired = endpoint_of(LabProfile::expired_cert);
  const json& leaf = expired["tls"]["certificates"][0];
  EXPECT_TRUE(contains(html, "<tr><th>Valid</th><td>" + leaf["not_before"].get<std::string>() +
                                 " to " + leaf["not_after"].get<std::string>() +
                                 " <strong>(expired 1 days ago)</strong></td></tr>"))
      << html;
  EXPECT_TRUE(contains(html, "<tr><th>Names (SAN)</th><td>mx.other.invalid</td></tr>"));
  EXPECT_TRUE(contains(html, "<strong>does not match</strong> localhost"));
  EXPECT_TRUE(contains(html, "<tr><th>Cipher</th><td>TLS_AES_256_GCM_SHA384</td></tr>") ||
              contains(html, "<tr><th>Cipher</th><td>TLS_"))
      << html;
  EXPECT_TRUE(contains(
      html, "<strong>not trusted</strong>: " + expired["tls"]["verify_error"].get<std::string>()));
  EXPECT_TRUE(contains(html, "<code>tls-certificate-expired</code> (medium): "));
  EXPECT_TRUE(contains(html,
                       "<code>tls-starttls-failed</code> (medium): STARTTLS failed: "
                       "STARTTLS refused: 454 4.7.0"))
      << html;
}

TEST(TlsReports, HtmlEscapesWhatTheServersCertificateSays) {
  json doc = tls_lab().document;
  for (json& endpoint : doc["endpoints"]) {
    if (!endpoint.contains("tls") || !endpoint["tls"].contains("certificates")) continue;
    endpoint["tls"]["certificates"][0]["subject"] = "CN=<script>alert(1)</script>";
    endpoint["tls"]["certificates"][0]["dns_names"] = {"<img src=x onerror=alert(1)>"};
    endpoint["tls"]["verify_error"] = "bad & \x1b[31m";
  }
  const std::string html = render_html(doc);
  EXPECT_FALSE(contains(html, "<script>"));
  EXPECT_FALSE(contains(html, "<img"));
  EXPECT_TRUE(contains(html, "CN=&lt;script&gt;alert(1)&lt;/script&gt;"));
  EXPECT_TRUE(contains(html, "bad &amp; <span class=\"esc\">\\x1b</span>[31m")) << html;
}

TEST(TlsReports, TheTerminalSummaryHasTheTlsColumnAndNamesTlsFindings) {
  std::ostringstream out;
  print_text_summary(out, tls_lab().run.result, false);
  const std::string text = out.str();
  EXPECT_TRUE(contains(text, "  TLS TLSv1.3 (!)  ")) << text;
  EXPECT_TRUE(contains(text, "  TLS STARTTLS failed (!)  ")) << text;
  EXPECT_TRUE(contains(text, "  TLS implicit TLSv1.3 (!)  ")) << text;
  EXPECT_TRUE(contains(text,
                       "  finding tls-host-name-mismatch (medium): the certificate names "
                       "DNS:mx.other.invalid, not localhost"))
      << text;
}

const json& rule_named(const json& sarif, const std::string& id) {
  for (const json& rule : sarif["runs"][0]["tool"]["driver"]["rules"]) {
    if (rule["id"] == id) return rule;
  }
  throw std::runtime_error("no rule " + id);
}

TEST(TlsReports, SarifHasARulePerTlsFindingAndAnAlertAtTheWorstLevel) {
  REQUIRE_JSONSCHEMA();
  const std::string text = render_sarif(tls_lab().document);
  EXPECT_EQ(testing::sarif_schema_errors(text), "");
  const json sarif = json::parse(text);
  const json& expired = rule_named(sarif, kFindingTlsExpired);
  EXPECT_EQ(expired["shortDescription"]["text"], "The TLS certificate has expired");
  EXPECT_EQ(expired["defaultConfiguration"]["level"], "warning");
  EXPECT_TRUE(contains(expired["help"]["text"], "\n\nFix: Renew the certificate"));
  EXPECT_TRUE(contains(expired["help"]["text"], "\n\nReferences:\n- RFC 5280"));
  EXPECT_EQ(expired["properties"]["kind"], "tls");
  EXPECT_EQ(rule_named(sarif, kFindingPlaintextAfterStarttls)["defaultConfiguration"]["level"],
            "error");
  // One tls-findings alert per endpoint, at the level of its worst finding's rule.
  std::set<std::string> fingerprints;
  bool self_signed_listed = false;
  for (const json& result : sarif["runs"][0]["results"]) {
    EXPECT_TRUE(fingerprints.insert(result["partialFingerprints"].dump()).second);
    if (result["ruleId"] != "tls-findings") continue;
    std::string worst = "note";
    for (const json& finding : result["properties"]["findings"]) {
      const std::string level =
          rule_named(sarif, finding["id"])["defaultConfiguration"]["level"].get<std::string>();
      if (level == "error" || (level == "warning" && worst == "note")) worst = level;
      self_signed_listed = self_signed_listed || finding["id"] == kFindingTlsSelfSigned;
    }
    EXPECT_EQ(result["level"], worst) << result.dump();
  }
  EXPECT_TRUE(self_signed_listed);
}

// A document as `--tls both` writes it: the same script once per path.
json with_both_paths(const json& document) {
  json doc = document;
  for (json& endpoint : doc["endpoints"]) {
    if (endpoint["verdict"] != "open-relay") continue;
    for (const json& test : endpoint["tests"]) {
      if (test["id"] != "relay-external-sender") continue;
      json copy = test;
      copy["path"] = test["path"] == "tls" ? "plain" : "tls";
      endpoint["tests"].push_back(copy);
      break;
    }
  }
  return doc;
}

TEST(TlsReports, OneScriptOnBothPathsIsListedTwiceAndGivesDistinctTestcases) {
  REQUIRE_XMLLINT();
  const json doc = with_both_paths(tls_lab().document);
  const json sarif = json::parse(render_sarif(doc));
  std::set<std::string> fingerprints;
  std::set<std::string> paths;
  for (const json& result : sarif["runs"][0]["results"]) {
    EXPECT_TRUE(fingerprints.insert(result["partialFingerprints"].dump()).second) << result;
    if (result["ruleId"] != "open-relay") continue;
    for (const json& attempt : result["properties"]["accepted"]) {
      if (attempt["script"] == "relay-external-sender") paths.insert(attempt["path"]);
    }
  }
  // One alert for the endpoint, listing the script once per path.
  EXPECT_EQ(paths, (std::set<std::string>{"plain", "tls"}));

  const std::string xml = render_junit(doc);
  EXPECT_EQ(testing::junit_schema_errors(xml), "");
  pugi::xml_document junit;
  ASSERT_TRUE(junit.load_string(xml.c_str()));
  std::set<std::string> names;
  int failures = 0;
  for (pugi::xml_node suite : junit.child("testsuites").children("testsuite")) {
    names.clear();
    for (pugi::xml_node test_case : suite.children("testcase")) {
      EXPECT_TRUE(names.insert(test_case.attribute("name").value()).second)
          << suite.attribute("name").value() << ": " << test_case.attribute("name").value();
      if (test_case.child("failure")) {
        ++failures;
        const std::string name = test_case.attribute("name").value();
        EXPECT_EQ(contains(name, " (over TLS)"),
                  contains(test_case.child("failure").attribute("message").value(),
                           "open relay over TLS"))
            << name;
      }
    }
  }
  EXPECT_GT(failures, 0);
}

TEST(TlsReports, JunitCarriesTlsFactsAsPropertiesAndTlsFindingsFailNothing) {
  REQUIRE_XMLLINT();
  const std::string xml = render_junit(tls_lab().document);
  EXPECT_EQ(testing::junit_schema_errors(xml), "");
  pugi::xml_document junit;
  ASSERT_TRUE(junit.load_string(xml.c_str()));
  bool seen_expired = false;
  for (pugi::xml_node suite : junit.child("testsuites").children("testsuite")) {
    const auto property = [&](const char* name) -> std::string {
      for (pugi::xml_node each : suite.child("properties").children("property")) {
        if (std::string(each.attribute("name").value()) == name) {
          return each.attribute("value").value();
        }
      }
      return "";
    };
    const std::string port = property("port");
    if (port != std::to_string(endpoint_of(LabProfile::expired_cert)["port"].get<int>())) continue;
    seen_expired = true;
    EXPECT_EQ(property("tls"), "TLSv1.3 (!)");
    EXPECT_EQ(property("tls.protocol"), "TLSv1.3");
    EXPECT_FALSE(property("tls.cipher").empty());
    EXPECT_EQ(property("tls.trusted"), "false");
    // A closed gateway with an expired certificate: findings are output, not failures.
    EXPECT_EQ(suite.attribute("failures").as_int(), 0);
    EXPECT_TRUE(contains(suite.child_value("system-out"), "finding tls-certificate-expired"));
  }
  EXPECT_TRUE(seen_expired);
}

}  // namespace
}  // namespace relayaudit
