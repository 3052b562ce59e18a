// What `relayaudit mx` and `relayaudit dnsbl` do: argument checks, the lookups, table and JSON,
// exit codes. In-process through run_mx_lookup/run_dnsbl_lookup; through the binary as well
// once the lead has wired the subcommands into it.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "dns/dnsbl_report.hpp"
#include "dns/mx_report.hpp"
#include "dns/text_table.hpp"
#include "dns_harness.hpp"
#include "support/process.hpp"

namespace relayaudit::testing {
namespace {

TEST(MailDomainArgument, ProblemsAreNamed) {
  EXPECT_EQ(mail_domain_problem("relayaudit.test"), std::nullopt);
  EXPECT_EQ(mail_domain_problem("RelayAudit.Test."), std::nullopt);
  EXPECT_EQ(mail_domain_problem("localhost"), std::nullopt);
  EXPECT_EQ(mail_domain_problem("192.0.2.1"), "an IPv4 address, not a mail domain");
  EXPECT_EQ(mail_domain_problem("mail.example:25"), "an address or port, not a mail domain");
  EXPECT_EQ(mail_domain_problem("[::1]"), "an address or port, not a mail domain");
  EXPECT_EQ(mail_domain_problem(""), "missing host name");
  EXPECT_EQ(mail_domain_problem("bad_name.test"), "'_' is not allowed in host names");
  EXPECT_EQ(mail_domain_problem("a..test"), "empty label in host name");
  EXPECT_EQ(mail_domain_problem("-a.test"), "label '-a' starts or ends with a hyphen");
}

TEST(TextTable, ColumnsArePaddedAndBytesEscaped) {
  EXPECT_EQ(dns_detail::format_table({{"A", "BB", "C"}, {"aaa", "b", ""}}), "A    BB  C\naaa  b\n");
  EXPECT_EQ(dns_detail::printable("caf\xe9\n\\"), "caf\\233\\010\\092");
}

using CommandsTest = NsdTest;

DnsResolverOptions command_options(const std::string& spec) {
  DnsResolverOptions options;
  options.servers = {spec};
  options.resolv_conf = "/nonexistent";
  return options;
}

TEST_F(CommandsTest, MxLookupRunKeepsTheOrderAskedAndRendersEveryCase) {
  const std::vector<std::string> domains = {"pref.relayaudit.test",   "implicit.relayaudit.test",
                                            "nullmx.relayaudit.test", "nope.relayaudit.test",
                                            "alias.relayaudit.test",  "halfbroken.relayaudit.test",
                                            "equal.relayaudit.test"};
  const MxLookupRun run = run_mx_lookup(domains, command_options(nsd().spec()));
  ASSERT_EQ(run.setup_error, std::nullopt);
  ASSERT_EQ(run.domains.size(), domains.size());
  for (std::size_t i = 0; i < domains.size(); ++i) EXPECT_EQ(run.domains[i].domain, domains[i]);

  const nlohmann::json json = mx_map_json(run.domains);
  const auto& pref = json["domains"][0];
  EXPECT_EQ(pref["status"], "ok");
  EXPECT_TRUE(pref["error"].is_null());
  EXPECT_EQ(pref["hosts"][0]["name"], "mx-a.relayaudit.test");
  EXPECT_EQ(pref["hosts"][0]["preference"], 10);
  EXPECT_EQ(pref["hosts"][0]["addresses"][1]["family"], "ipv6");
  EXPECT_EQ(pref["hosts"][1]["addresses"][0]["ttl"], 300);
  EXPECT_EQ(json["domains"][1]["implicit_mx"], true);
  EXPECT_EQ(json["domains"][2]["null_mx"], true);
  EXPECT_EQ(json["domains"][3]["status"], "nxdomain");
  EXPECT_TRUE(json["domains"][3]["error"].is_string());
  EXPECT_EQ(json["domains"][4]["hosts"][0]["cname_chain"][0], "mx-target.relayaudit.test");
  EXPECT_TRUE(json["domains"][5]["hosts"][0]["error"].is_string());

  const std::string table = mx_map_table(run.domains);
  EXPECT_EQ(table.rfind("DOMAIN", 0), 0u) << table;
  for (const char* expected :
       {"mx-c.relayaudit.test", "192.0.2.33", "2001:db8::10", "implicit MX",
        "null MX: the domain accepts no mail", "error (nxdomain): nope.relayaudit.test",
        "CNAME -> mx-target.relayaudit.test", "error: missing.relayaudit.test does not exist"}) {
    EXPECT_NE(table.find(expected), std::string::npos) << expected << "\n" << table;
  }
  EXPECT_TRUE(fully_resolved(run.domains[0]));
  EXPECT_TRUE(fully_resolved(run.domains[2]));
  EXPECT_FALSE(fully_resolved(run.domains[3]));
  EXPECT_FALSE(fully_resolved(run.domains[5]));
}

TEST_F(CommandsTest, MxLookupRunReportsAResolverThatCannotStart) {
  const MxLookupRun run = run_mx_lookup({"pref.relayaudit.test"}, command_options("nonsense"));
  ASSERT_TRUE(run.setup_error.has_value());
  EXPECT_NE(run.setup_error->find("resolver 'nonsense'"), std::string::npos) << *run.setup_error;
  EXPECT_TRUE(run.domains.empty());
}

TEST_F(CommandsTest, DnsblLookupRunIsAddressMajorAndRendersReasons) {
  const DnsblLookupRun run =
      run_dnsbl_lookup({"127.0.0.2", "127.0.0.3", "192.0.2.99", "192.0.2.11"},
                       {"dnsbl.relayaudit.test", "example.invalid"}, command_options(nsd().spec()));
  ASSERT_EQ(run.setup_error, std::nullopt);
  ASSERT_EQ(run.results.size(), 8u);
  EXPECT_EQ(run.results[0].address, "127.0.0.2");
  EXPECT_EQ(run.results[0].zone, "dnsbl.relayaudit.test");
  EXPECT_EQ(run.results[0].status, DnsblStatus::listed);
  EXPECT_EQ(run.results[1].zone, "example.invalid");
  EXPECT_EQ(run.results[1].status, DnsblStatus::error);  // REFUSED: no verdict
  EXPECT_EQ(run.results[2].status, DnsblStatus::not_listed);
  EXPECT_EQ(run.results[4].status, DnsblStatus::error);
  EXPECT_EQ(run.results[6].reason, "caf\xe9 \xff");

  // Raw TXT bytes are not UTF-8: the JSON replaces them instead of throwing.
  const std::string json = dnsbl_results_json(run.results)
                               .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  const auto parsed = nlohmann::json::parse(json);
  EXPECT_EQ(parsed["results"][0]["status"], "listed");
  EXPECT_EQ(parsed["results"][0]["return_codes"][0], "127.0.0.2");
  EXPECT_EQ(parsed["results"][2]["status"], "not-listed");
  EXPECT_EQ(parsed["results"][2]["dns_status"], "nxdomain");
  EXPECT_TRUE(parsed["results"][2]["reason"].is_null());
  EXPECT_TRUE(parsed["results"][4]["error"].is_string());

  const std::string table = dnsbl_table(run.results);
  for (const char* expected : {"ADDRESS", "listed", "not-listed", "127.255.255.254",
                               "refused the query", "caf\\233 \\255", "Listed for testing"}) {
    EXPECT_NE(table.find(expected), std::string::npos) << expected << "\n" << table;
  }
}

// The relayaudit binary, when it has the subcommands; else these tests skip.
std::string wired_binary() {
#ifdef RELAYAUDIT_BINARY
  const CommandResult help = run_command({RELAYAUDIT_BINARY, "mx", "--help"});
  const CommandResult dnsbl_help = run_command({RELAYAUDIT_BINARY, "dnsbl", "--help"});
  // `--help` exits 0 for an unknown subcommand too: look for the subcommands' own options.
  if (help.succeeded() && help.out.find("MX map") != std::string::npos && dnsbl_help.succeeded() &&
      dnsbl_help.out.find("--zone") != std::string::npos) {
    return RELAYAUDIT_BINARY;
  }
#endif
  return "";
}

TEST_F(CommandsTest, RelayauditMxEndToEnd) {
  const std::string binary = wired_binary();
  if (binary.empty()) GTEST_SKIP() << "relayaudit mx/dnsbl are not wired into the binary yet";
  const std::string spec = nsd().spec();
  const CommandResult ok =
      run_command({binary, "mx", "pref.relayaudit.test", "nullmx.relayaudit.test", "--resolver",
                   spec, "--json", "--timeout", "1s"});
  EXPECT_EQ(ok.exit_code, 0) << ok.describe() << ok.err;
  const auto json = nlohmann::json::parse(ok.out, nullptr, false);
  ASSERT_FALSE(json.is_discarded()) << ok.out;
  EXPECT_EQ(json["domains"][0]["hosts"].size(), 3u);
  EXPECT_EQ(json["domains"][1]["null_mx"], true);

  const CommandResult table =
      run_command({binary, "mx", "equal.relayaudit.test", "--resolver", spec});
  EXPECT_EQ(table.exit_code, 0) << table.err;
  EXPECT_NE(table.out.find("mx-eq2.relayaudit.test"), std::string::npos) << table.out;

  const CommandResult dns_error = run_command(
      {binary, "mx", "pref.relayaudit.test", "nope.relayaudit.test", "--resolver", spec});
  EXPECT_EQ(dns_error.exit_code, 3) << dns_error.out << dns_error.err;

  const CommandResult bad_domain = run_command({binary, "mx", "192.0.2.1", "--resolver", spec});
  EXPECT_EQ(bad_domain.exit_code, 2);
  EXPECT_NE(bad_domain.err.find("'192.0.2.1'"), std::string::npos) << bad_domain.err;

  const CommandResult bad_resolver =
      run_command({binary, "mx", "pref.relayaudit.test", "--resolver", "127.0.0.1:0"});
  EXPECT_EQ(bad_resolver.exit_code, 2);
  EXPECT_NE(bad_resolver.err.find("127.0.0.1:0"), std::string::npos) << bad_resolver.err;
}

TEST_F(CommandsTest, RelayauditDnsblEndToEnd) {
  const std::string binary = wired_binary();
  if (binary.empty()) GTEST_SKIP() << "relayaudit mx/dnsbl are not wired into the binary yet";
  const std::string spec = nsd().spec();
  const std::string zone = "dnsbl.relayaudit.test";
  const CommandResult listed =
      run_command({binary, "dnsbl", "127.0.0.2", "127.0.0.3", "--zone", zone, "--resolver", spec});
  EXPECT_EQ(listed.exit_code, 1) << listed.out << listed.err;
  EXPECT_NE(listed.out.find("Listed for testing"), std::string::npos) << listed.out;

  const CommandResult clean = run_command(
      {binary, "dnsbl", "127.0.0.3", "2001:db8::2", "--zone", zone, "--resolver", spec, "--json"});
  EXPECT_EQ(clean.exit_code, 0) << clean.out << clean.err;
  const auto json = nlohmann::json::parse(clean.out, nullptr, false);
  ASSERT_FALSE(json.is_discarded()) << clean.out;
  EXPECT_EQ(json["results"][1]["status"], "not-listed");

  const CommandResult refused =
      run_command({binary, "dnsbl", "192.0.2.99", "--zone", zone, "--resolver", spec});
  EXPECT_EQ(refused.exit_code, 3) << refused.out << refused.err;

  const CommandResult bad =
      run_command({binary, "dnsbl", "mail.example", "--zone", zone, "--resolver", spec});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("'mail.example'"), std::string::npos) << bad.err;
}

}  // namespace
}  // namespace relayaudit::testing
