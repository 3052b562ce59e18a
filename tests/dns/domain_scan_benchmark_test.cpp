// How long `scan` takes for 10,000 mail domains hosted on ten shared gateways (for the note;
// printed, not asserted): MX expansion against nsd on loopback, every endpoint audited once and
// credited to its 2,000 domains, the postmaster controls capped per endpoint.
#include <gtest/gtest.h>

#include <chrono>
#include <iostream>

#include "dns_harness.hpp"
#include "domain_scan_harness.hpp"
#include "reports/results_json.hpp"

namespace relayaudit::testing {
namespace {

constexpr int kScannedDomains = 10000;
constexpr int kGateways = 10;

std::string gateway_address(int index) {
  return "127.0.1." + std::to_string(index + 1);
}

// d<i>.fleet.test: MX 10 on gateway i % 10, MX 20 on the next one.
std::string shared_gateways_zone() {
  std::string zone =
      "$ORIGIN fleet.test.\n$TTL 3600\n"
      "@ SOA ns.fleet.test. hostmaster.fleet.test. 1 3600 600 86400 300\n"
      "@ NS ns\nns A 127.0.0.1\n";
  for (int g = 0; g < kGateways; ++g) {
    zone += "mx" + std::to_string(g) + " A " + gateway_address(g) + "\n";
  }
  for (int i = 0; i < kScannedDomains; ++i) {
    const std::string d = "d" + std::to_string(i);
    zone += d + " MX 10 mx" + std::to_string(i % kGateways) + "\n";
    zone += d + " MX 20 mx" + std::to_string((i + 1) % kGateways) + "\n";
  }
  return zone;
}

using DomainScanBenchmark = NsdAvailableTest;

TEST_F(DomainScanBenchmark, TenThousandDomainsOnTenGateways) {
  const auto server = serve_zone("fleet.test", shared_gateways_zone());
  ASSERT_NE(server, nullptr);

  DomainScanSetup setup;
  setup.dns_server = server->spec();
  setup.dns_timeout = std::chrono::seconds(10);  // 50,000 questions under ASan: time, not a fault
  setup.gateways = [](std::uint16_t port) {
    std::vector<LabGatewayConfig> gateways;
    for (int g = 0; g < kGateways; ++g) {
      gateways.push_back({LabProfile::closed, gateway_address(g), port});
    }
    return gateways;
  };
  std::vector<std::string> specs;
  for (int i = 0; i < kScannedDomains; ++i) {
    const std::string domain = "d" + std::to_string(i) + ".fleet.test";
    specs.push_back(domain);
    // Each gateway is MX 10 or MX 20 of this domain: it serves it.
    setup.lab.mail_domains[gateway_address(i % kGateways)].push_back(domain);
    setup.lab.mail_domains[gateway_address((i + 1) % kGateways)].push_back(domain);
  }

  const auto started = std::chrono::steady_clock::now();
  const DomainScan scan = scan_domains(specs, setup);
  const auto scanned = std::chrono::steady_clock::now();
  const std::string text = results_to_string(scan.document);
  const auto rendered = std::chrono::steady_clock::now();

  EXPECT_TRUE(scan.loop_closed_cleanly);
  EXPECT_TRUE(scan.result.unresolved.empty());
  ASSERT_EQ(scan.result.endpoints.size(), static_cast<std::size_t>(kGateways));
  for (const auto& endpoint : scan.result.endpoints) {
    EXPECT_EQ(endpoint.endpoint.mail_domains.size(), 2000u);
    EXPECT_EQ(endpoint.domains_unchecked, 2000 - AuditOptions{}.domain_controls);
    EXPECT_EQ(endpoint.verdict, EndpointVerdict::closed) << endpoint.verdict_reason;
  }
  ASSERT_EQ(scan.document.at("domains").size(), static_cast<std::size_t>(kScannedDomains));
  for (const auto& domain : scan.document.at("domains")) {
    ASSERT_EQ(domain.at("verdict"), "closed") << domain.dump();
    ASSERT_EQ(domain.at("endpoints").size(), 2u);
  }
  using std::chrono::duration_cast;
  using std::chrono::milliseconds;
  std::cout << "[ bench    ] " << kScannedDomains << " domains on " << kGateways
            << " gateways: resolved and audited in "
            << duration_cast<milliseconds>(scanned - started).count() << " ms; results.json ("
            << text.size() / 1024 << " KiB) built in "
            << duration_cast<milliseconds>(rendered - scanned).count() << " ms\n";
}

}  // namespace
}  // namespace relayaudit::testing
