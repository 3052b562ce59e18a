// `scan DOMAIN` end to end: MX maps from a real nsd on loopback, lab gateways behind them on one
// port, DNSBL listings, and the backup-MX consistency finding.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <map>
#include <stdexcept>
#include <thread>

#include "dns_harness.hpp"
#include "domain_scan_harness.hpp"
#include "reports/results_json.hpp"
#include "scheduler/scan_runner.hpp"
#include "support/lab_audit.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"
#include "targets/target_parser.hpp"

namespace relayaudit::testing {
namespace {

using nlohmann::json;

constexpr const char* kDnsbl = "dnsbl.relayaudit.test";

// The gateways behind tests/dns/zones/scan.test.zone, each serving the domains it is MX for.
std::vector<LabGatewayConfig> scan_test_gateways(std::uint16_t port) {
  return {{LabProfile::closed, "127.0.0.2", port}, {LabProfile::closed, "::1", port},
          {LabProfile::closed, "127.0.0.3", port}, {LabProfile::closed, "127.0.0.4", port},
          {LabProfile::open, "127.0.0.5", port},   {LabProfile::closed, "127.0.0.6", port},
          {LabProfile::closed, "127.0.0.7", port}};
}

LabOptions scan_test_lab_options() {
  LabOptions options;
  const std::vector<std::string> mx1 = {"relay.scan.test", "shared.scan.test", "pair.scan.test"};
  options.mail_domains = {{"127.0.0.2", mx1},
                          {"::1", mx1},
                          // 127.0.0.3 (mx2, the backup of relay.scan.test) serves no domain.
                          {"127.0.0.4", {"implicit.scan.test"}},
                          {"127.0.0.6", {"pair.scan.test"}},
                          {"127.0.0.7", {"pair.scan.test"}}};
  return options;
}

DomainScan scan_domains(const std::vector<std::string>& specs,
                        const std::vector<std::string>& dnsbl_zones = {},
                        int domain_controls = AuditOptions{}.domain_controls) {
  DomainScanSetup setup;
  setup.gateways = scan_test_gateways;
  setup.lab = scan_test_lab_options();
  setup.dns_server = shared_nsd().spec();
  setup.dnsbl_zones = dnsbl_zones;
  setup.domain_controls = domain_controls;
  return testing::scan_domains(specs, setup);
}

const json& domain_named(const json& document, const std::string& name) {
  for (const json& domain : document.at("domains")) {
    if (domain.at("domain") == name) return domain;
  }
  throw std::runtime_error("no domain " + name);
}

const EndpointResult& endpoint_at(const ScanResult& result, const std::string& endpoint_key) {
  for (const auto& endpoint : result.endpoints) {
    if (endpoint.endpoint.key() == endpoint_key) return endpoint;
  }
  throw std::runtime_error("no endpoint " + endpoint_key);
}

std::vector<std::string> sorted(std::vector<std::string> items) {
  std::sort(items.begin(), items.end());
  return items;
}

std::vector<std::string> endpoint_keys(const ScanResult& result) {
  std::vector<std::string> keys;
  for (const auto& endpoint : result.endpoints) keys.push_back(endpoint.endpoint.key());
  return sorted(keys);
}

class ScanDomains : public NsdTest {};

TEST_F(ScanDomains, AuditsExactlyTheEndpointsBehindEveryMx) {
  const DomainScan scan = scan_domains({"relay.scan.test", "shared.scan.test", "pair.scan.test"});
  EXPECT_TRUE(scan.loop_closed_cleanly);
  const auto port = scan.port;
  // mx1 (A and AAAA), mx2, and the round-robin pair behind mxrr; mx1 once for three domains.
  EXPECT_EQ(endpoint_keys(scan.result),
            sorted({endpoint_key("127.0.0.2", port), endpoint_key("::1", port),
                    endpoint_key("127.0.0.3", port), endpoint_key("127.0.0.6", port),
                    endpoint_key("127.0.0.7", port)}));
  const EndpointResult& mx1 = endpoint_at(scan.result, endpoint_key("127.0.0.2", port));
  EXPECT_EQ(mx1.endpoint.host_name, "mx1.scan.test");
  EXPECT_EQ(mx1.endpoint.mail_domains,
            (std::vector<std::string>{"relay.scan.test", "shared.scan.test", "pair.scan.test"}));
  EXPECT_EQ(mx1.endpoint.targets,
            (std::vector<std::string>{"relay.scan.test", "shared.scan.test", "pair.scan.test"}));
  // The postmaster control ran once per domain the MX serves, and each was accepted.
  std::vector<std::string> controlled;
  for (const auto& test : mx1.tests) {
    if (test.id != "control-postmaster") continue;
    controlled.push_back(test.mail_domain);
    EXPECT_EQ(test.rcpt_to.back(), "postmaster@" + test.mail_domain);
    EXPECT_EQ(test.outcome, Outcome::accepted) << test.mail_domain;
  }
  EXPECT_EQ(sorted(controlled), sorted({"relay.scan.test", "shared.scan.test", "pair.scan.test"}));
  EXPECT_EQ(mx1.verdict, EndpointVerdict::closed);
  EXPECT_TRUE(scan.result.unresolved.empty());

  const json& pair = domain_named(scan.document, "pair.scan.test");
  ASSERT_EQ(pair.at("hosts").size(), 2u);
  EXPECT_EQ(pair.at("hosts")[0].at("preference"), 10);
  EXPECT_EQ(pair.at("hosts")[1].at("preference"), 10);
  EXPECT_EQ(pair.at("endpoints").size(), 4u);  // mx1 v4 + v6, mxrr's two addresses
  EXPECT_EQ(pair.at("verdict"), "closed");
  EXPECT_EQ(domain_named(scan.document, "shared.scan.test").at("verdict"), "closed");
}

TEST_F(ScanDomains, MxAddressesPastTheCapAreReportedNotAudited) {
  DomainScanSetup setup;
  setup.gateways = scan_test_gateways;
  setup.lab = scan_test_lab_options();
  setup.dns_server = shared_nsd().spec();
  setup.max_endpoints_per_domain = 2;
  const DomainScan scan = testing::scan_domains({"relay.scan.test"}, setup);
  // Preference order: mx1's two addresses are kept, mx2's is left out and said so.
  EXPECT_EQ(endpoint_keys(scan.result),
            sorted({endpoint_key("127.0.0.2", scan.port), endpoint_key("::1", scan.port)}));
  ASSERT_EQ(scan.result.unresolved.size(), 1u);
  EXPECT_NE(scan.result.unresolved[0].message.find("1 MX addresses past the first 2"),
            std::string::npos)
      << scan.result.unresolved[0].message;
  // The unaudited backup leaves the domain unproven even though both audited endpoints are closed.
  EXPECT_EQ(domain_named(scan.document, "relay.scan.test").at("verdict"), "inconclusive");
}

TEST_F(ScanDomains, DomainControlsAreCappedPerEndpoint) {
  const DomainScan scan =
      scan_domains({"relay.scan.test", "shared.scan.test", "pair.scan.test"}, {}, 2);
  const EndpointResult& mx1 = endpoint_at(scan.result, endpoint_key("127.0.0.2", scan.port));
  std::vector<std::string> controlled;
  for (const auto& test : mx1.tests) {
    if (test.id == "control-postmaster") controlled.push_back(test.mail_domain);
  }
  // The first domains in target order are asked; the rest are counted, not asked.
  EXPECT_EQ(controlled, (std::vector<std::string>{"relay.scan.test", "shared.scan.test"}));
  EXPECT_EQ(mx1.domains_unchecked, 1);
  const json document = results_to_json(scan.result);
  for (const json& endpoint : document.at("endpoints")) {
    if (endpoint.at("endpoint") == endpoint_key("127.0.0.2", scan.port)) {
      EXPECT_EQ(endpoint.at("domains_unchecked"), 1);
    }
  }
}

TEST_F(ScanDomains, BackupMxThatRefusesTheDomainIsAFindingOnItAndTheDomain) {
  const DomainScan scan = scan_domains({"relay.scan.test"});
  const EndpointResult& backup = endpoint_at(scan.result, endpoint_key("127.0.0.3", scan.port));
  EXPECT_EQ(backup.endpoint.host_name, "mx2.scan.test");
  // It refuses postmaster@relay.scan.test as relaying: closed is unproven, and it is a finding.
  EXPECT_EQ(backup.verdict, EndpointVerdict::inconclusive);
  ASSERT_EQ(backup.findings.size(), 1u);
  EXPECT_EQ(backup.findings[0].id, "mx-refuses-domain-mail");
  EXPECT_EQ(backup.findings[0].domain, "relay.scan.test");
  EXPECT_NE(backup.findings[0].message.find("relay-denied"), std::string::npos)
      << backup.findings[0].message;
  const EndpointResult& primary = endpoint_at(scan.result, endpoint_key("127.0.0.2", scan.port));
  EXPECT_EQ(primary.verdict, EndpointVerdict::closed);
  EXPECT_TRUE(primary.findings.empty());

  const json& relay = domain_named(scan.document, "relay.scan.test");
  EXPECT_EQ(relay.at("verdict"), "inconclusive");
  ASSERT_EQ(relay.at("findings").size(), 1u);
  const json& finding = relay.at("findings")[0];
  EXPECT_EQ(finding.at("endpoint"), endpoint_key("127.0.0.3", scan.port));
  EXPECT_EQ(finding.at("mx"), "mx2.scan.test");
  EXPECT_EQ(finding.at("preference"), 20);
  EXPECT_EQ(finding.at("backup_mx"), true);
  // The MX map names the endpoint each address was audited as.
  EXPECT_EQ(relay.at("hosts")[0].at("name"), "mx1.scan.test");
  EXPECT_EQ(relay.at("hosts")[0].at("addresses")[0].at("endpoint"),
            endpoint_key("127.0.0.2", scan.port));
}

TEST_F(ScanDomains, ImplicitNullLameMissingAndOpenDomains) {
  const DomainScan scan = scan_domains({"implicit.scan.test", "nullmx.scan.test", "lame.scan.test",
                                        "nothing.scan.test", "open.scan.test"});
  EXPECT_TRUE(scan.loop_closed_cleanly);
  EXPECT_EQ(endpoint_keys(scan.result),
            sorted({endpoint_key("127.0.0.4", scan.port), endpoint_key("127.0.0.5", scan.port)}));

  const json& implicit = domain_named(scan.document, "implicit.scan.test");
  EXPECT_EQ(implicit.at("implicit_mx"), true);
  EXPECT_EQ(implicit.at("verdict"), "closed");

  const json& null_mx = domain_named(scan.document, "nullmx.scan.test");
  EXPECT_EQ(null_mx.at("null_mx"), true);
  EXPECT_EQ(null_mx.at("verdict"), "no-mail");
  EXPECT_TRUE(null_mx.at("endpoints").empty());

  const json& lame = domain_named(scan.document, "lame.scan.test");
  EXPECT_EQ(lame.at("verdict"), "unreachable");
  EXPECT_FALSE(lame.at("hosts")[0].at("error").is_null());

  const json& nothing = domain_named(scan.document, "nothing.scan.test");
  EXPECT_EQ(nothing.at("verdict"), "dns-error");
  EXPECT_EQ(nothing.at("status"), "nxdomain");

  EXPECT_EQ(domain_named(scan.document, "open.scan.test").at("verdict"), "open-relay");
  // Domains are listed in target order whatever order DNS answered in.
  std::vector<std::string> order;
  for (const json& domain : scan.document.at("domains")) order.push_back(domain.at("domain"));
  EXPECT_EQ(order,
            (std::vector<std::string>{"implicit.scan.test", "nullmx.scan.test", "lame.scan.test",
                                      "nothing.scan.test", "open.scan.test"}));
  // The lame MX and the missing domain are unresolved targets; the null MX is not.
  std::vector<std::string> unresolved;
  for (const auto& problem : scan.result.unresolved) unresolved.push_back(problem.target);
  EXPECT_EQ(sorted(unresolved), sorted({"lame.scan.test", "nothing.scan.test"}));
  EXPECT_EQ(scan.document.at("summary").at("domains"), 5);
  EXPECT_EQ(scan.document.at("summary").at("verdict"), "open-relay");
}

// Host targets go to the scan's own resolver (here nsd on loopback), never to getaddrinfo: these
// names exist nowhere else. localhost is answered without any question.
TEST_F(ScanDomains, HostTargetsAreAnsweredByTheScansOwnResolver) {
  const DomainScan scan = scan_domains({"mxrr.scan.test:{port}", "MX1.scan.test.:{port}",
                                        "missing.scan.test:{port}", "localhost:{port}"});
  EXPECT_TRUE(scan.loop_closed_cleanly);
  const auto port = scan.port;
  // Every A and AAAA is a gateway; localhost is 127.0.0.1, where no gateway listens here.
  EXPECT_EQ(endpoint_keys(scan.result),
            sorted({endpoint_key("127.0.0.6", port), endpoint_key("127.0.0.7", port),
                    endpoint_key("127.0.0.2", port), endpoint_key("::1", port),
                    endpoint_key("127.0.0.1", port)}));
  const EndpointResult& rr = endpoint_at(scan.result, endpoint_key("127.0.0.7", port));
  EXPECT_EQ(rr.endpoint.host_name, "mxrr.scan.test");
  EXPECT_EQ(rr.endpoint.targets,
            std::vector<std::string>{"mxrr.scan.test:" + std::to_string(port)});
  // Reached and audited: these gateways serve other domains and refuse postmaster@ the host's
  // name; the control's next form, the bare <postmaster>, is accepted.
  EXPECT_EQ(rr.verdict, EndpointVerdict::closed) << rr.verdict_reason;
  const EndpointResult& v6 = endpoint_at(scan.result, endpoint_key("::1", port));
  EXPECT_EQ(v6.endpoint.host_name, "mx1.scan.test");
  EXPECT_TRUE(v6.endpoint.ipv6);
  EXPECT_EQ(v6.verdict, EndpointVerdict::closed) << v6.verdict_reason;
  EXPECT_EQ(endpoint_at(scan.result, endpoint_key("127.0.0.1", port)).verdict,
            EndpointVerdict::unreachable);
  // The name nsd does not know is unresolved, with DNS's own answer as the reason.
  ASSERT_EQ(scan.result.unresolved.size(), 1u);
  const InputProblem& missing = scan.result.unresolved[0];
  EXPECT_EQ(missing.target, "missing.scan.test:" + std::to_string(port));
  EXPECT_EQ(missing.status, Status::resolve_failed);
  EXPECT_NE(missing.message.find("cannot resolve 'missing.scan.test': "), std::string::npos)
      << missing.message;
  EXPECT_NE(missing.message.find("NXDOMAIN"), std::string::npos) << missing.message;
}

TEST_F(ScanDomains, DnsblListingsAreRecordedPerEndpoint) {
  const DomainScan scan = scan_domains({"relay.scan.test"}, {kDnsbl});
  const EndpointResult& listed = endpoint_at(scan.result, endpoint_key("127.0.0.2", scan.port));
  ASSERT_EQ(listed.dnsbl.size(), 1u);
  EXPECT_EQ(listed.dnsbl[0].status, DnsblStatus::listed);
  EXPECT_EQ(listed.dnsbl[0].return_codes, (std::vector<std::string>{"127.0.0.2"}));
  EXPECT_NE(listed.dnsbl[0].reason.find("Listed for testing"), std::string::npos);
  const EndpointResult& clean = endpoint_at(scan.result, endpoint_key("127.0.0.3", scan.port));
  ASSERT_EQ(clean.dnsbl.size(), 1u);
  EXPECT_EQ(clean.dnsbl[0].status, DnsblStatus::not_listed);
  const EndpointResult& v6 = endpoint_at(scan.result, endpoint_key("::1", scan.port));
  ASSERT_EQ(v6.dnsbl.size(), 1u);
  EXPECT_EQ(v6.dnsbl[0].query_name.substr(0, 4), "1.0.");  // reversed nibbles
  EXPECT_EQ(scan.document.at("summary").at("dnsbl_listed"), 1);
  EXPECT_EQ(scan.document.at("dnsbl_zones"), json::array({kDnsbl}));
}

// RFC 5782 section 5 before trust: a mistyped zone (NXDOMAIN for everything) would call every
// gateway "not listed", a wildcard one every gateway listed. Neither is asked about endpoints:
// each is reported as not working (an unresolved input, so exit 3) and its entries are errors.
TEST_F(ScanDomains, DnsblZonesProveThemselvesBeforeTheyAreTrusted) {
  const std::string mistyped = "nolist.relayaudit.test";
  const std::string wildcard = "yes-to-all.relayaudit.test";
  const DomainScan scan = scan_domains({"relay.scan.test"}, {kDnsbl, mistyped, wildcard});
  EXPECT_TRUE(scan.loop_closed_cleanly);
  const EndpointResult& listed = endpoint_at(scan.result, endpoint_key("127.0.0.3", scan.port));
  ASSERT_EQ(listed.dnsbl.size(), 3u);
  for (const DnsblResult& listing : listed.dnsbl) {
    SCOPED_TRACE(listing.zone);
    if (listing.zone == kDnsbl) {
      EXPECT_EQ(listing.status, DnsblStatus::not_listed);
      continue;
    }
    EXPECT_EQ(listing.status, DnsblStatus::error);
    EXPECT_EQ(listing.error.rfind("zone not working: ", 0), 0u) << listing.error;
  }
  std::map<std::string, std::string> broken;
  for (const auto& problem : scan.result.unresolved) broken[problem.target] = problem.message;
  ASSERT_EQ(broken.size(), 2u);
  EXPECT_NE(broken["--dnsbl " + mistyped].find("does not list its test entry 127.0.0.2"),
            std::string::npos)
      << broken["--dnsbl " + mistyped];
  EXPECT_NE(broken["--dnsbl " + wildcard].find("it lists 127.0.0.1"), std::string::npos)
      << broken["--dnsbl " + wildcard];
  // Only the working zone's listing counts.
  EXPECT_EQ(scan.document.at("summary").at("dnsbl_listed"), 1);
}

TEST_F(ScanDomains, DocumentValidatesAgainstTheSchema) {
  const DomainScan scan = scan_domains(
      {"relay.scan.test", "pair.scan.test", "nullmx.scan.test", "nothing.scan.test"}, {kDnsbl});
  TempDir dir;
  const auto file = dir.path() / "results.json";
  std::ofstream(file) << results_to_string(scan.document);
  const std::string schema = std::string(RELAYAUDIT_SOURCE_DIR) + "/reports/results.schema.json";
  const auto check =
      run_command({"python3", "-c",
                   "import json, sys, jsonschema\n"
                   "jsonschema.Draft202012Validator(json.load(open(sys.argv[1]))).validate("
                   "json.load(open(sys.argv[2])))\n",
                   schema, file.string()});
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
}

}  // namespace
}  // namespace relayaudit::testing

namespace relayaudit::testing {
namespace {

// Through the binary: the DNS options are checked before anything runs, and a domain scan
// that audits nothing still reports its domains.
class ScanDomainsCli : public NsdTest {
 protected:
  CommandResult scan(std::vector<std::string> args) const {
    args.insert(args.begin(), {RELAYAUDIT_BINARY, "scan", "-q"});
    return run_command(args);
  }
};

TEST_F(ScanDomainsCli, BadResolverAndDnsblZonesAreUsageErrors) {
  const auto resolver = scan({"relay.scan.test", "--resolver", "127.0.0.1:99999"});
  EXPECT_EQ(resolver.exit_code, 2);
  EXPECT_NE(resolver.err.find("99999"), std::string::npos) << resolver.err;
  const auto zone = scan({"127.0.0.1:1", "--dnsbl", "zen.example,192.0.2.1"});
  EXPECT_EQ(zone.exit_code, 2);
  EXPECT_NE(zone.err.find("--dnsbl '192.0.2.1': an IPv4 address"), std::string::npos) << zone.err;
  const auto timeout = scan({"relay.scan.test", "--dns-timeout", "soon"});
  EXPECT_EQ(timeout.exit_code, 2);
}

TEST_F(ScanDomainsCli, NullMxAndMissingDomainsAreReportedNotAudited) {
  TempDir dir;
  const auto results = (dir.path() / "results.json").string();
  const auto run =
      run_command({RELAYAUDIT_BINARY, "scan", "nullmx.scan.test", "nothing.scan.test", "--resolver",
                   shared_nsd().spec(), "-o", results, "--fail-on", "inconclusive"});
  // The missing domain is an unresolved target: not clean under --fail-on inconclusive.
  EXPECT_EQ(run.exit_code, 3) << run.out << run.err;
  EXPECT_NE(run.out.find("no-mail"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("domain nullmx.scan.test  null MX: accepts no mail"), std::string::npos)
      << run.out;
  std::ifstream in(results);
  const json document = json::parse(in);
  EXPECT_EQ(document.at("domains").size(), 2u);
  EXPECT_EQ(document.at("domains")[0].at("verdict"), "no-mail");
  EXPECT_EQ(document.at("domains")[1].at("verdict"), "dns-error");
  EXPECT_EQ(document.at("options").at("resolvers"), json::array({shared_nsd().spec()}));
  EXPECT_TRUE(document.at("endpoints").empty());
}

// Through the binary: a closed gateway checked on a working zone passes (exit 0); on a zone that
// fails its RFC 5782 test entries the audit proves nothing about listings: exit 3.
TEST_F(ScanDomainsCli, ADnsblZoneThatFailsItsTestEntriesIsExit3) {
  TempDir dir;
  const auto endpoints = (dir.path() / "endpoints.txt").string();
  BackgroundProcess lab(
      {RELAYAUDIT_BINARY, "lab", "--profile", "closed", "--endpoints-file", endpoints});
  for (int i = 0; i < 500 && read_file(endpoints).empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_FALSE(read_file(endpoints).empty()) << "the lab did not write its endpoint";
  const auto working = run_command({RELAYAUDIT_BINARY, "scan", "-q", "-f", endpoints, "--resolver",
                                    shared_nsd().spec(), "--dnsbl", kDnsbl});
  EXPECT_EQ(working.exit_code, 0) << working.out << working.err;
  const auto broken = run_command({RELAYAUDIT_BINARY, "scan", "-f", endpoints, "--resolver",
                                   shared_nsd().spec(), "--dnsbl", "nolist.relayaudit.test"});
  EXPECT_EQ(broken.exit_code, 3) << broken.out << broken.err;
  EXPECT_NE((broken.out + broken.err).find("DNSBL zone nolist.relayaudit.test is not working"),
            std::string::npos)
      << broken.out << broken.err;
  EXPECT_EQ(lab.stop(), 0);
}

// Through the binary: `scan --resolver` answers a host target from that server (nsd knows
// mx2.scan.test as 127.0.0.3, where a lab gateway listens); nothing else is asked.
TEST_F(ScanDomainsCli, HostTargetIsResolvedByTheResolverGiven) {
  TempDir dir;
  const auto endpoints = (dir.path() / "endpoints.txt").string();
  BackgroundProcess lab({RELAYAUDIT_BINARY, "lab", "--bind", "127.0.0.3", "--profile", "closed",
                         "--endpoints-file", endpoints});
  for (int i = 0; i < 500 && read_file(endpoints).empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  const std::string served = read_file(endpoints);
  ASSERT_EQ(served.rfind("127.0.0.3:", 0), 0u) << "the lab did not write its endpoint: " << served;
  const std::string port = served.substr(10, served.find('\n') - 10);
  const auto results = (dir.path() / "results.json").string();
  const auto run =
      run_command({RELAYAUDIT_BINARY, "scan", "-q", "mx2.scan.test:" + port, "--resolver",
                   shared_nsd().spec(), "-o", results, "--fail-on", "open-relay"});
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  const json document = json::parse(read_file(results));
  ASSERT_EQ(document.at("endpoints").size(), 1u) << document.dump();
  const json& endpoint = document.at("endpoints")[0];
  EXPECT_EQ(endpoint.at("endpoint"), "127.0.0.3:" + port);
  EXPECT_EQ(endpoint.at("host_name"), "mx2.scan.test");
  EXPECT_NE(endpoint.at("verdict"), "unreachable");
  EXPECT_TRUE(document.at("unresolved").empty());
  EXPECT_EQ(lab.stop(), 0);
}

}  // namespace
}  // namespace relayaudit::testing

namespace relayaudit::testing {
namespace {

// A DNS server that never answers: the scan must neither hang on it nor lose the domain.
struct SilentDnsScan {
  ScanResult result;
  bool finished = false;
  bool loop_closed_cleanly = false;
  int queries = 0;
};

SilentDnsScan scan_against_silent_dns(std::chrono::milliseconds cancel_after) {
  SilentDnsScan scan;
  uv_loop_t loop;
  uv_loop_init(&loop);
  {
    UdpRelay silent(&loop);  // no upstream: every query is dropped
    ScanPlan plan;
    plan.options = fast_audit_options();
    plan.scripts = core_scripts();
    plan.dns.servers = {silent.spec()};
    plan.dns.resolv_conf = "/nonexistent";
    plan.dns.timeout = std::chrono::milliseconds(200);
    plan.dns.retries = 1;
    plan.targets = parse_test_targets({"quiet.scan.test", "still.scan.test"});
    ScanRunner runner(&loop, std::move(plan));
    uv_timer_t stop{};
    uv_timer_init(&loop, &stop);
    stop.data = &runner;
    runner.on_finished([&] {
      scan.finished = true;
      silent.close();
      uv_close(reinterpret_cast<uv_handle_t*>(&stop), nullptr);
    });
    runner.start();
    if (cancel_after.count() > 0) {
      uv_timer_start(
          &stop, [](uv_timer_t* timer) { static_cast<ScanRunner*>(timer->data)->cancel(); },
          static_cast<std::uint64_t>(cancel_after.count()), 0);
    }
    uv_run(&loop, UV_RUN_DEFAULT);
    scan.queries = silent.queries();
    scan.result = runner.take_result();
  }
  scan.loop_closed_cleanly = uv_loop_close(&loop) == 0;
  return scan;
}

TEST(ScanDomainsSilentDns, TimeoutsAreDomainResultsNotAHang) {
  const SilentDnsScan scan = scan_against_silent_dns(std::chrono::milliseconds(0));
  EXPECT_TRUE(scan.finished);
  EXPECT_TRUE(scan.loop_closed_cleanly);
  EXPECT_TRUE(scan.result.complete);
  EXPECT_GE(scan.queries, 4);  // two domains, a first try and a retry each
  ASSERT_EQ(scan.result.domains.size(), 2u);
  for (const auto& domain : scan.result.domains) {
    EXPECT_EQ(domain.map.status, DnsStatus::timeout) << domain.target;
    EXPECT_FALSE(domain.map.error.empty());
  }
  EXPECT_EQ(scan.result.unresolved.size(), 2u);
  EXPECT_EQ(results_to_json(scan.result).at("domains")[0].at("verdict"), "dns-error");
}

TEST(ScanDomainsSilentDns, CancelWhileResolvingStopsAtOnce) {
  // The lookups would take 400 ms to time out; the cancel comes first and ends them: their
  // status says `cancelled`, not `timeout`.
  const SilentDnsScan scan = scan_against_silent_dns(std::chrono::milliseconds(50));
  EXPECT_TRUE(scan.finished);
  EXPECT_TRUE(scan.loop_closed_cleanly);
  EXPECT_FALSE(scan.result.complete);
  ASSERT_EQ(scan.result.domains.size(), 2u);
  for (const auto& domain : scan.result.domains) {
    EXPECT_EQ(domain.map.status, DnsStatus::cancelled) << domain.target;
  }
  EXPECT_TRUE(scan.result.endpoints.empty());
}

}  // namespace
}  // namespace relayaudit::testing

namespace relayaudit::testing {
namespace {

TEST(ScanDomainsNoResolver, UnreadableResolvConfIsAnUnresolvedTargetAndTheLoopClosesClean) {
  uv_loop_t loop;
  uv_loop_init(&loop);
  ScanResult result;
  bool finished = false;
  {
    ScanPlan plan;
    plan.options = fast_audit_options();
    plan.scripts = core_scripts();
    plan.dns.resolv_conf = "/nonexistent/resolv.conf";  // no --resolver and nothing to read
    plan.targets.push_back(std::get<Target>(parse_target("first.scan.test", "argument")));
    plan.targets.push_back(std::get<Target>(parse_target("second.scan.test", "fleet.txt:2")));
    ScanRunner runner(&loop, std::move(plan));
    runner.on_finished([&] { finished = true; });
    runner.start();
    uv_run(&loop, UV_RUN_DEFAULT);
    result = runner.take_result();
  }
  EXPECT_TRUE(finished);
  EXPECT_EQ(uv_loop_close(&loop), 0);  // the resolver that never started closed its handles
  ASSERT_EQ(result.unresolved.size(), 2u);
  EXPECT_EQ(result.unresolved[1].target, "second.scan.test");
  EXPECT_EQ(result.unresolved[1].origin, "fleet.txt:2");
  EXPECT_NE(result.unresolved[0].message.find("/nonexistent/resolv.conf"), std::string::npos)
      << result.unresolved[0].message;
  EXPECT_TRUE(result.endpoints.empty());
  ASSERT_EQ(result.domains.size(), 2u);
  EXPECT_EQ(result.domains[0].map.domain, "first.scan.test");
  EXPECT_EQ(results_to_json(result).at("domains")[1].at("verdict"), "dns-error");
}

}  // namespace
}  // namespace relayaudit::testing
