// Mail-domain results in every rendering: the domains array (worst-of verdicts, backup-MX
// findings), the Markdown summary and the HTML report, with hostile DNSBL text kept inert.
#include <gtest/gtest.h>

#include "reports/domain_results.hpp"
#include "reports/html_report.hpp"
#include "reports/junit_report.hpp"
#include "reports/markdown_report.hpp"
#include "reports/results_json.hpp"
#include "reports/sarif_report.hpp"
#include "support/report_validators.hpp"
#include "support/sample_scan.hpp"
#include "support/text_search.hpp"

namespace relayaudit {
namespace {

using nlohmann::json;
using testing::contains;

constexpr const char* kHostileReason = "<script>alert(1)</script> | `x` ]]>";

MxHost mx_host(std::uint16_t preference, std::string name, std::string address) {
  MxHost host;
  host.preference = preference;
  host.name = std::move(name);
  host.ttl = 300;
  host.addresses.push_back(MxAddress{std::move(address), false, 60});
  return host;
}

// The sample scan, with example.test behind its open (192.0.2.1) and closed (192.0.2.2)
// endpoints, the closed one a backup MX refusing the domain, a null-MX domain, and a DNSBL
// listing whose TXT reason is hostile.
ScanResult scan_with_domains() {
  ScanResult scan = testing::make_sample_scan();
  MailDomain example;
  example.domain = "example.test";
  example.hosts = {mx_host(10, "mx1.example.test", "192.0.2.1"),
                   mx_host(20, "mx2.example.test", "192.0.2.2")};
  MailDomain nothing;
  nothing.domain = "nomail.example.test";
  nothing.null_mx = true;
  scan.domains = {{"example.test", "argument", 25, example},
                  {"nomail.example.test", "argument", 25, nothing}};
  scan.dnsbl_zones = {"dnsbl.example.test"};
  for (auto& endpoint : scan.endpoints) {
    if (endpoint.endpoint.address == "192.0.2.2") {
      endpoint.findings.push_back(Finding{"mx-refuses-domain-mail", "medium",
                                          "MX mx2.example.test of example.test refused",
                                          "example.test"});
    }
    if (endpoint.endpoint.address == "192.0.2.1") {
      endpoint.endpoint.mail_domains = {"example.test"};
      DnsblResult listing;
      listing.address = "192.0.2.1";
      listing.zone = "dnsbl.example.test";
      listing.query_name = "1.2.0.192.dnsbl.example.test";
      listing.status = DnsblStatus::listed;
      listing.return_codes = {"127.0.0.2"};
      listing.reason = kHostileReason;
      endpoint.dnsbl.push_back(listing);
    }
  }
  return scan;
}

TEST(DomainResults, VerdictIsTheWorstEndpointAndBackupFindingsAreNamed) {
  const json domains = domains_json(scan_with_domains());
  ASSERT_EQ(domains.size(), 2u);
  const json& example = domains[0];
  EXPECT_EQ(example.at("verdict"), "open-relay");
  EXPECT_EQ(example.at("endpoints"), json::array({"192.0.2.1:25", "192.0.2.2:25"}));
  ASSERT_EQ(example.at("findings").size(), 1u);
  EXPECT_EQ(example.at("findings")[0].at("endpoint"), "192.0.2.2:25");
  EXPECT_EQ(example.at("findings")[0].at("backup_mx"), true);
  EXPECT_EQ(domains[1].at("verdict"), kDomainNoMail);
  EXPECT_TRUE(domains[1].at("endpoints").empty());
}

TEST(DomainResults, DocumentValidatesAndCountsListings) {
  const json document = results_to_json(scan_with_domains());
  EXPECT_EQ(document.at("summary").at("domains"), 2);
  EXPECT_EQ(document.at("summary").at("dnsbl_listed"), 1);
  if (!testing::jsonschema_available()) GTEST_SKIP() << "python3-jsonschema not installed";
  EXPECT_EQ(testing::results_schema_errors(results_to_string(document)), "");
}

TEST(DomainResults, MarkdownHasTheDomainTableAndInertListings) {
  const std::string markdown = render_markdown(results_to_json(scan_with_domains()));
  EXPECT_TRUE(contains(markdown, "### Mail domains")) << markdown;
  EXPECT_TRUE(contains(markdown, "| open-relay | `example.test` |")) << markdown;
  EXPECT_TRUE(contains(markdown, "backup MX `mx2.example.test` refuses the domain's mail"));
  EXPECT_TRUE(contains(markdown, "null MX: accepts no mail"));
  EXPECT_TRUE(contains(markdown, "### DNS blocklists"));
  EXPECT_FALSE(contains(markdown, "<script>"));
  if (!testing::cmark_available()) GTEST_SKIP() << "cmark-gfm not installed";
  const std::string html = testing::render_with_cmark(markdown);
  EXPECT_FALSE(contains(html, "<script>"));
  EXPECT_TRUE(contains(html, "&lt;script&gt;alert(1)&lt;/script&gt;")) << html;
}

TEST(DomainResults, HtmlShowsDomainVerdictFindingAndListing) {
  const std::string html = render_html(results_to_json(scan_with_domains()));
  EXPECT_TRUE(contains(html, "<h3>example.test <span class=\"badge v-open\">")) << html;
  EXPECT_TRUE(contains(html, "no mail (null MX)"));
  EXPECT_TRUE(contains(html, "Backup MX mx2.example.test (192.0.2.2:25) refuses the domain"));
  EXPECT_TRUE(contains(html, "<th>DNSBL</th><td>dnsbl.example.test: <strong>listed</strong>"));
  EXPECT_TRUE(contains(html, "<th>MX of</th><td>example.test</td>"));
  EXPECT_FALSE(contains(html, "<script>alert"));
  EXPECT_TRUE(contains(html, "&lt;script&gt;alert(1)&lt;/script&gt;"));
}

TEST(DomainResults, JunitHasACasePerDomainVerdictAndConsistency) {
  const std::string xml = render_junit(results_to_json(scan_with_domains()));
  EXPECT_TRUE(contains(xml, "<testsuite name=\"mail domains\"")) << xml;
  EXPECT_TRUE(contains(xml, "name=\"example.test: no MX relays\" classname=\"relayaudit.domain\""));
  EXPECT_TRUE(contains(xml, "message=\"an MX of example.test is an open relay\""));
  EXPECT_TRUE(contains(xml, "message=\"an MX of example.test refuses the domain&apos;s mail\"") ||
              contains(xml, "message=\"an MX of example.test refuses the domain's mail\""))
      << xml;
  EXPECT_TRUE(contains(xml, "null MX: the domain accepts no mail"));
  if (!testing::xmllint_available()) GTEST_SKIP() << "xmllint not installed";
  EXPECT_EQ(testing::junit_schema_errors(xml), "");
}

TEST(DomainResults, SarifAlertsPerEndpointAndDomainForAnMxRefusingItsDomain) {
  const json sarif = json::parse(render_sarif(results_to_json(scan_with_domains())));
  const json& run = sarif.at("runs")[0];
  const json* alert = nullptr;
  for (const json& result : run.at("results")) {
    if (result.at("ruleId") == "mx-refuses-domain-mail") alert = &result;
  }
  ASSERT_NE(alert, nullptr);
  EXPECT_EQ(alert->at("level"), "warning");
  // One alert per endpoint, naming each domain it refuses.
  EXPECT_EQ(alert->at("properties").at("findings")[0].at("domain"), "example.test");
  const json& rule = run.at("tool").at("driver").at("rules")[alert->at("ruleIndex").get<int>()];
  EXPECT_EQ(rule.at("id"), "mx-refuses-domain-mail");
  EXPECT_TRUE(contains(rule.at("help").at("text").get<std::string>(), "relay_domains"));
  if (!testing::jsonschema_available()) GTEST_SKIP() << "python3-jsonschema not installed";
  EXPECT_EQ(testing::sarif_schema_errors(sarif.dump()), "");
}

}  // namespace
}  // namespace relayaudit
