// resolve_mail_domain against nsd: preference order, equal preferences, round robin, AAAA,
// implicit and null MX, CNAME'd hosts, NXDOMAIN, host errors, TCP-sized host RRsets.
#include <gtest/gtest.h>

#include "dns/mx_map.hpp"
#include "dns_harness.hpp"

namespace relayaudit::testing {
namespace {

using MxMapTest = NsdTest;

MailDomain expand(ResolverLoop& run, const std::string& domain) {
  std::optional<MailDomain> result;
  resolve_mail_domain(run.resolver(), domain, [&](MailDomain value) { result = std::move(value); });
  EXPECT_TRUE(run.run_until([&] { return result.has_value(); })) << domain;
  return result.value_or(MailDomain{});
}

std::vector<std::string> host_names(const MailDomain& domain) {
  std::vector<std::string> names;
  for (const auto& host : domain.hosts) names.push_back(host.name);
  return names;
}

std::vector<std::string> addresses_of(const MxHost& host) {
  std::vector<std::string> texts;
  for (const auto& address : host.addresses) texts.push_back(address.address);
  return texts;
}

TEST_F(MxMapTest, HostsInPreferenceOrderWithEveryAddress) {
  ResolverLoop run(local_options());
  const MailDomain domain = expand(run, "Pref.RelayAudit.Test.");
  EXPECT_EQ(domain.domain, "pref.relayaudit.test");
  ASSERT_TRUE(domain.error.empty()) << domain.error;
  EXPECT_EQ(domain.status, DnsStatus::ok);
  EXPECT_FALSE(domain.null_mx);
  EXPECT_FALSE(domain.implicit_mx);
  ASSERT_EQ(host_names(domain),
            (std::vector<std::string>{"mx-a.relayaudit.test", "mx-b.relayaudit.test",
                                      "mx-c.relayaudit.test"}));
  EXPECT_EQ(domain.hosts[0].preference, 10);
  EXPECT_EQ(domain.hosts[1].preference, 20);
  EXPECT_EQ(domain.hosts[2].preference, 30);
  // mx-a: dual stack, A first then AAAA.
  ASSERT_EQ(domain.hosts[0].addresses.size(), 2u);
  EXPECT_EQ(domain.hosts[0].addresses[0].address, "192.0.2.10");
  EXPECT_FALSE(domain.hosts[0].addresses[0].ipv6);
  EXPECT_EQ(domain.hosts[0].addresses[1].address, "2001:db8::10");
  EXPECT_TRUE(domain.hosts[0].addresses[1].ipv6);
  EXPECT_EQ(domain.hosts[0].ttl, 3600u);
  // mx-b: its A record has its own TTL.
  ASSERT_EQ(domain.hosts[1].addresses.size(), 1u);
  EXPECT_EQ(domain.hosts[1].addresses[0].ttl, 300u);
  // mx-c: round robin, three gateways.
  auto round_robin = addresses_of(domain.hosts[2]);
  std::sort(round_robin.begin(), round_robin.end());
  EXPECT_EQ(round_robin, (std::vector<std::string>{"192.0.2.31", "192.0.2.32", "192.0.2.33"}));
  for (const auto& host : domain.hosts) EXPECT_TRUE(host.error.empty()) << host.error;
  EXPECT_TRUE(fully_resolved(domain));
}

TEST_F(MxMapTest, EqualPreferencesAreSortedByName) {
  ResolverLoop run(local_options());
  const MailDomain domain = expand(run, "equal.relayaudit.test");
  ASSERT_EQ(host_names(domain),
            (std::vector<std::string>{"mx-eq1.relayaudit.test", "mx-eq2.relayaudit.test"}));
  EXPECT_EQ(domain.hosts[0].preference, domain.hosts[1].preference);
  EXPECT_EQ(addresses_of(domain.hosts[0]), std::vector<std::string>{"192.0.2.41"});
  EXPECT_EQ(addresses_of(domain.hosts[1]), std::vector<std::string>{"192.0.2.42"});
}

TEST_F(MxMapTest, Ipv6OnlyHost) {
  ResolverLoop run(local_options());
  const MailDomain domain = expand(run, "v6only.relayaudit.test");
  ASSERT_EQ(domain.hosts.size(), 1u);
  ASSERT_EQ(domain.hosts[0].addresses.size(), 1u);
  EXPECT_EQ(domain.hosts[0].addresses[0].address, "2001:db8::60");
  EXPECT_TRUE(domain.hosts[0].addresses[0].ipv6);
  EXPECT_TRUE(domain.hosts[0].error.empty()) << domain.hosts[0].error;
}

TEST_F(MxMapTest, NoMxMeansTheDomainItselfIsTheImplicitMx) {
  ResolverLoop run(local_options());
  const MailDomain domain = expand(run, "implicit.relayaudit.test");
  EXPECT_TRUE(domain.implicit_mx);
  EXPECT_TRUE(domain.error.empty()) << domain.error;
  ASSERT_EQ(domain.hosts.size(), 1u);
  EXPECT_EQ(domain.hosts[0].name, "implicit.relayaudit.test");
  EXPECT_EQ(domain.hosts[0].preference, 0);
  EXPECT_EQ(addresses_of(domain.hosts[0]),
            (std::vector<std::string>{"192.0.2.70", "2001:db8::70"}));
  EXPECT_EQ(domain.hosts[0].ttl, 3600u);
  EXPECT_TRUE(fully_resolved(domain));
}

TEST_F(MxMapTest, NoMxAndNoAddressIsAnError) {
  ResolverLoop run(local_options());
  const MailDomain domain = expand(run, "nomail.relayaudit.test");
  EXPECT_EQ(domain.status, DnsStatus::nodata);
  EXPECT_NE(domain.error.find("has no MX, A or AAAA record"), std::string::npos) << domain.error;
  EXPECT_TRUE(domain.hosts.empty());
  EXPECT_FALSE(fully_resolved(domain));
}

TEST_F(MxMapTest, NullMxAcceptsNoMailAndIsNotAnError) {
  ResolverLoop run(local_options());
  const MailDomain domain = expand(run, "nullmx.relayaudit.test");
  EXPECT_TRUE(domain.null_mx);
  EXPECT_TRUE(domain.error.empty()) << domain.error;
  EXPECT_TRUE(domain.hosts.empty());
  EXPECT_TRUE(fully_resolved(domain));
  EXPECT_EQ(run.resolver().stats().questions, 1u) << "no address lookup for '.'";
}

TEST_F(MxMapTest, MxHostBehindCnamesIsResolvedAndTheChainKept) {
  ResolverLoop run(local_options());
  const MailDomain one = expand(run, "alias.relayaudit.test");
  ASSERT_EQ(one.hosts.size(), 1u);
  EXPECT_EQ(one.hosts[0].name, "mx-alias.relayaudit.test");
  EXPECT_EQ(addresses_of(one.hosts[0]), std::vector<std::string>{"192.0.2.80"});
  EXPECT_EQ(one.hosts[0].cname_chain, std::vector<std::string>{"mx-target.relayaudit.test"});
  const MailDomain two = expand(run, "chain2.relayaudit.test");
  ASSERT_EQ(two.hosts.size(), 1u);
  EXPECT_EQ(addresses_of(two.hosts[0]), std::vector<std::string>{"192.0.2.90"});
  EXPECT_EQ(two.hosts[0].cname_chain,
            (std::vector<std::string>{"hop2.relayaudit.test", "hop3.relayaudit.test"}));
}

TEST_F(MxMapTest, NxdomainIsADomainErrorWithItsReason) {
  ResolverLoop run(local_options());
  const MailDomain domain = expand(run, "nope.relayaudit.test");
  EXPECT_EQ(domain.status, DnsStatus::nxdomain);
  EXPECT_NE(domain.error.find("does not exist"), std::string::npos) << domain.error;
  EXPECT_TRUE(domain.hosts.empty());
  EXPECT_FALSE(fully_resolved(domain));
}

TEST_F(MxMapTest, RefusedIsADomainError) {
  ResolverLoop run(local_options());
  const MailDomain domain = expand(run, "example.invalid");
  EXPECT_EQ(domain.status, DnsStatus::refused);
  EXPECT_FALSE(domain.error.empty());
}

TEST_F(MxMapTest, TimeoutIsADomainError) {
  ResolverLoop run;
  UdpRelay silent(run.loop());
  DnsResolverOptions options = local_options();
  options.servers = {silent.spec()};
  options.timeout = std::chrono::milliseconds(50);
  options.retries = 1;
  ASSERT_EQ(run.start(options), std::nullopt);
  const MailDomain domain = expand(run, "pref.relayaudit.test");
  EXPECT_EQ(domain.status, DnsStatus::timeout);
  EXPECT_NE(domain.error.find("no answer"), std::string::npos) << domain.error;
  silent.close();
  EXPECT_EQ(run.shut_down(), 0);
}

TEST_F(MxMapTest, MissingHostIsAHostErrorAndTheOtherHostStillResolves) {
  ResolverLoop run(local_options());
  const MailDomain domain = expand(run, "halfbroken.relayaudit.test");
  EXPECT_TRUE(domain.error.empty()) << domain.error;
  ASSERT_EQ(domain.hosts.size(), 2u);
  EXPECT_EQ(domain.hosts[0].name, "missing.relayaudit.test");
  EXPECT_TRUE(domain.hosts[0].addresses.empty());
  EXPECT_NE(domain.hosts[0].error.find("does not exist"), std::string::npos)
      << domain.hosts[0].error;
  EXPECT_EQ(domain.hosts[1].name, "mx-a.relayaudit.test");
  EXPECT_EQ(domain.hosts[1].addresses.size(), 2u);
  EXPECT_FALSE(fully_resolved(domain));
}

TEST_F(MxMapTest, HostWithAHundredAddressesComesOverTcp) {
  ResolverLoop run(local_options());
  const MailDomain domain = expand(run, "bigmx.relayaudit.test");
  ASSERT_EQ(domain.hosts.size(), 1u);
  EXPECT_EQ(domain.hosts[0].addresses.size(), 100u);
  EXPECT_EQ(run.resolver().stats().tcp_queries, 1u);
}

TEST_F(MxMapTest, SharedHostsAreAskedOnce) {
  // pref and halfbroken both use mx-a: its A and AAAA go out once for the run.
  ResolverLoop run(local_options());
  int done = 0;
  for (const char* name : {"pref.relayaudit.test", "halfbroken.relayaudit.test"}) {
    resolve_mail_domain(run.resolver(), name, [&](MailDomain) { ++done; });
  }
  ASSERT_TRUE(run.run_until([&] { return done == 2; }));
  // 2 MX + A/AAAA of mx-a, mx-b, mx-c, missing = 2 + 8.
  EXPECT_EQ(run.resolver().stats().questions, 10u);
}

}  // namespace
}  // namespace relayaudit::testing
