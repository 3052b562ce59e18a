// How long resolving 10,000 mail domains takes against nsd on loopback (for the note; printed,
// not asserted): each domain has two MX hosts, one with A, one with A and AAAA, so 50,000
// questions. The zone is generated into a temp dir at test time.
#include <gtest/gtest.h>

#include <chrono>
#include <iostream>

#include "dns/mx_map.hpp"
#include "dns_harness.hpp"

namespace relayaudit::testing {
namespace {

constexpr int kResolvedDomains = 10000;

// d<i>.bench.test: MX 10 mx1 (A), MX 20 mx2 (A and AAAA).
std::string two_mx_hosts_zone() {
  std::string zone =
      "$ORIGIN bench.test.\n$TTL 3600\n"
      "@ SOA ns.bench.test. hostmaster.bench.test. 1 3600 600 86400 300\n"
      "@ NS ns\nns A 127.0.0.1\n";
  for (int i = 0; i < kResolvedDomains; ++i) {
    const std::string d = "d" + std::to_string(i);
    const std::string a = std::to_string(i / 250 % 250) + "." + std::to_string(i % 250 + 1);
    zone += d + " MX 10 mx1." + d + "\n";
    zone += d + " MX 20 mx2." + d + "\n";
    zone += "mx1." + d + " A 10.1." + a + "\n";
    zone += "mx2." + d + " A 10.2." + a + "\n";
    zone += "mx2." + d + " AAAA 2001:db8::2:" + std::to_string(i) + "\n";
  }
  return zone;
}

using MxBenchmark = NsdAvailableTest;

TEST_F(MxBenchmark, TenThousandDomains) {
  const auto server = serve_zone("bench.test", two_mx_hosts_zone());
  ASSERT_NE(server, nullptr);

  DnsResolverOptions options;
  options.servers = {server->spec()};
  options.resolv_conf = "/nonexistent";
  ResolverLoop run(options);
  ASSERT_EQ(run.start_error(), std::nullopt);
  int done = 0;
  int complete = 0;
  const auto started = std::chrono::steady_clock::now();
  for (int i = 0; i < kResolvedDomains; ++i) {
    resolve_mail_domain(
        run.resolver(), "d" + std::to_string(i) + ".bench.test", [&](MailDomain domain) {
          ++done;
          if (fully_resolved(domain) && domain.hosts.size() == 2 &&
              domain.hosts[0].addresses.size() == 1 && domain.hosts[1].addresses.size() == 2) {
            ++complete;
          }
        });
  }
  ASSERT_TRUE(run.run_until([&] { return done == kResolvedDomains; }, std::chrono::seconds(100)));
  const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - started);
  EXPECT_EQ(complete, kResolvedDomains);
  const auto& stats = run.resolver().stats();
  EXPECT_EQ(stats.questions, 50000u);
  std::cout << "[ bench    ] " << kResolvedDomains << " domains (" << stats.questions
            << " questions, " << stats.udp_packets << " UDP packets, " << stats.timeouts
            << " timeouts, peak " << stats.peak_in_flight << " in flight) resolved in "
            << elapsed.count() << " ms\n";
  RecordProperty("elapsed_ms", static_cast<int>(elapsed.count()));
}

}  // namespace
}  // namespace relayaudit::testing
