// DnsResolver against a real nsd on loopback: record types, NXDOMAIN/NODATA/REFUSED, lame
// answers, CNAME chains, TCP after truncation.
#include <gtest/gtest.h>

#include "dns_harness.hpp"

namespace relayaudit::testing {
namespace {

using ResolverTest = NsdTest;

TEST_F(ResolverTest, RoundRobinARecordsAreAllReturned) {
  ResolverLoop run(local_options());
  ASSERT_FALSE(run.start_error()) << *run.start_error();
  const DnsAnswer answer = run.ask("mx-c.relayaudit.test", kDnsTypeA);
  ASSERT_EQ(answer.status, DnsStatus::ok) << answer.reason;
  EXPECT_EQ(sorted_texts(answer),
            (std::vector<std::string>{"192.0.2.31", "192.0.2.32", "192.0.2.33"}));
  for (const auto& record : answer.records) {
    EXPECT_EQ(record.name, "mx-c.relayaudit.test");
    EXPECT_EQ(record.type, kDnsTypeA);
    EXPECT_EQ(record.ttl, 3600u);
  }
  EXPECT_TRUE(answer.cname_chain.empty());
  EXPECT_FALSE(answer.truncated_retried_over_tcp);
}

TEST_F(ResolverTest, AaaaRecordAndRecordTtl) {
  ResolverLoop run(local_options());
  const DnsAnswer v6 = run.ask("mx-a.relayaudit.test", kDnsTypeAaaa);
  ASSERT_EQ(v6.status, DnsStatus::ok) << v6.reason;
  EXPECT_EQ(sorted_texts(v6), std::vector<std::string>{"2001:db8::10"});
  const DnsAnswer short_ttl = run.ask("mx-b.relayaudit.test", kDnsTypeA);
  ASSERT_EQ(short_ttl.records.size(), 1u);
  EXPECT_EQ(short_ttl.records[0].ttl, 300u);
}

TEST_F(ResolverTest, MxRecordsCarryPreferenceAndExchange) {
  ResolverLoop run(local_options());
  const DnsAnswer answer = run.ask("pref.relayaudit.test", kDnsTypeMx);
  ASSERT_EQ(answer.status, DnsStatus::ok) << answer.reason;
  std::map<std::uint16_t, std::string> by_preference;
  for (const auto& record : answer.records) by_preference[record.preference] = record.text;
  EXPECT_EQ(by_preference, (std::map<std::uint16_t, std::string>{{10, "mx-a.relayaudit.test"},
                                                                 {20, "mx-b.relayaudit.test"},
                                                                 {30, "mx-c.relayaudit.test"}}));
  const DnsAnswer null_mx = run.ask("nullmx.relayaudit.test", kDnsTypeMx);
  ASSERT_EQ(null_mx.records.size(), 1u);
  EXPECT_EQ(null_mx.records[0].text, ".");
  EXPECT_EQ(null_mx.records[0].preference, 0);
}

TEST_F(ResolverTest, TxtStringsAreConcatenated) {
  ResolverLoop run(local_options());
  const DnsAnswer answer = run.ask("10.2.0.192.dnsbl.relayaudit.test", kDnsTypeTxt);
  ASSERT_EQ(answer.status, DnsStatus::ok) << answer.reason;
  EXPECT_EQ(sorted_texts(answer), std::vector<std::string>{"Open relay observed"});
}

TEST_F(ResolverTest, NamesAreCaseInsensitiveAndMayEndInADot) {
  ResolverLoop run(local_options());
  const DnsAnswer answer = run.ask("MX-A.RelayAudit.Test.", kDnsTypeA);
  ASSERT_EQ(answer.status, DnsStatus::ok) << answer.reason;
  EXPECT_EQ(answer.records.at(0).name, "mx-a.relayaudit.test");
}

TEST_F(ResolverTest, NxdomainAndNodataAreDistinct) {
  ResolverLoop run(local_options());
  const DnsAnswer missing = run.ask("nope.relayaudit.test", kDnsTypeA);
  EXPECT_EQ(missing.status, DnsStatus::nxdomain);
  EXPECT_NE(missing.reason.find("nope.relayaudit.test does not exist"), std::string::npos)
      << missing.reason;
  EXPECT_NE(missing.reason.find(nsd().spec()), std::string::npos) << missing.reason;
  const DnsAnswer empty = run.ask("implicit.relayaudit.test", kDnsTypeMx);
  EXPECT_EQ(empty.status, DnsStatus::nodata);
  EXPECT_NE(empty.reason.find("has no MX record"), std::string::npos) << empty.reason;
  EXPECT_TRUE(empty.records.empty());
}

TEST_F(ResolverTest, ZoneTheServerDoesNotServeIsRefused) {
  ResolverLoop run(local_options());
  const DnsAnswer answer = run.ask("mail.example.invalid", kDnsTypeMx);
  EXPECT_EQ(answer.status, DnsStatus::refused);
  EXPECT_NE(answer.reason.find("REFUSED"), std::string::npos) << answer.reason;
}

TEST_F(ResolverTest, ReferralFromANonRecursiveServerIsALameAnswer) {
  ResolverLoop run(local_options());
  const DnsAnswer answer = run.ask("mail.sub.relayaudit.test", kDnsTypeA);
  EXPECT_EQ(answer.status, DnsStatus::servfail);
  EXPECT_NE(answer.reason.find("lame answer"), std::string::npos) << answer.reason;
  EXPECT_NE(answer.reason.find("ns.elsewhere.test"), std::string::npos) << answer.reason;
}

TEST_F(ResolverTest, CnameIsFollowed) {
  ResolverLoop run(local_options());
  const DnsAnswer answer = run.ask("mx-alias.relayaudit.test", kDnsTypeA);
  ASSERT_EQ(answer.status, DnsStatus::ok) << answer.reason;
  EXPECT_EQ(sorted_texts(answer), std::vector<std::string>{"192.0.2.80"});
  EXPECT_EQ(answer.records.at(0).name, "mx-target.relayaudit.test");
  EXPECT_EQ(answer.cname_chain, std::vector<std::string>{"mx-target.relayaudit.test"});
}

TEST_F(ResolverTest, TwoHopCnameChainIsFollowed) {
  ResolverLoop run(local_options());
  const DnsAnswer answer = run.ask("hop1.relayaudit.test", kDnsTypeA);
  ASSERT_EQ(answer.status, DnsStatus::ok) << answer.reason;
  EXPECT_EQ(sorted_texts(answer), std::vector<std::string>{"192.0.2.90"});
  EXPECT_EQ(answer.cname_chain,
            (std::vector<std::string>{"hop2.relayaudit.test", "hop3.relayaudit.test"}));
}

TEST_F(ResolverTest, CnameIntoAnotherZoneOfTheServer) {
  ResolverLoop run(local_options());
  const DnsAnswer answer = run.ask("outside.relayaudit.test", kDnsTypeA);
  ASSERT_EQ(answer.status, DnsStatus::ok) << answer.reason;
  EXPECT_EQ(sorted_texts(answer), std::vector<std::string>{"192.0.2.100"});
  EXPECT_EQ(answer.cname_chain, std::vector<std::string>{"mail.other.test"});
}

TEST_F(ResolverTest, AnswerEndingAtACnameIsFollowedByAQueryForItsTarget) {
  // nsd is not authoritative for unserved.test: its answer holds the CNAME only, the resolver
  // asks for the target, and the server refuses that one.
  ResolverLoop run(local_options());
  const DnsAnswer answer = run.ask("unserved.relayaudit.test", kDnsTypeA);
  EXPECT_EQ(answer.status, DnsStatus::refused);
  EXPECT_EQ(answer.cname_chain, std::vector<std::string>{"mail.unserved.test"});
  EXPECT_NE(answer.reason.find("mail.unserved.test A: "), std::string::npos) << answer.reason;
  EXPECT_EQ(run.resolver().stats().questions, 2u);
}

TEST_F(ResolverTest, CnameRecordItselfWhenAskedFor) {
  ResolverLoop run(local_options());
  const DnsAnswer answer = run.ask("mx-alias.relayaudit.test", kDnsTypeCname);
  ASSERT_EQ(answer.status, DnsStatus::ok) << answer.reason;
  EXPECT_EQ(sorted_texts(answer), std::vector<std::string>{"mx-target.relayaudit.test"});
  EXPECT_TRUE(answer.cname_chain.empty());
}

TEST_F(ResolverTest, CnameLoopIsAnErrorNotAHang) {
  ResolverLoop run(local_options());
  const DnsAnswer answer = run.ask("loop-a.relayaudit.test", kDnsTypeA);
  EXPECT_EQ(answer.status, DnsStatus::servfail);
  EXPECT_NE(answer.reason.find("CNAME loop"), std::string::npos) << answer.reason;
  EXPECT_NE(answer.reason.find("loop-b.relayaudit.test"), std::string::npos) << answer.reason;
}

TEST_F(ResolverTest, CnameChainLongerThanEightHopsIsAnError) {
  ResolverLoop run(local_options());
  const DnsAnswer answer = run.ask("long1.relayaudit.test", kDnsTypeA);
  EXPECT_EQ(answer.status, DnsStatus::servfail);
  EXPECT_NE(answer.reason.find("longer than 8 hops"), std::string::npos) << answer.reason;
  EXPECT_EQ(answer.cname_chain.size(), 8u);
  // Eight hops are fine: long3 -> ... -> long11.
  const DnsAnswer eight = run.ask("long3.relayaudit.test", kDnsTypeA);
  ASSERT_EQ(eight.status, DnsStatus::ok) << eight.reason;
  EXPECT_EQ(eight.cname_chain.size(), 8u);
}

TEST_F(ResolverTest, TruncatedUdpAnswerIsRetriedOverTcp) {
  ResolverLoop run(local_options());
  const DnsAnswer answer = run.ask("big.relayaudit.test", kDnsTypeA);
  ASSERT_EQ(answer.status, DnsStatus::ok) << answer.reason;
  EXPECT_TRUE(answer.truncated_retried_over_tcp);
  EXPECT_EQ(answer.records.size(), 100u);
  EXPECT_EQ(run.resolver().stats().tcp_queries, 1u);
  EXPECT_EQ(run.resolver().stats().udp_packets, 1u);
  // A small answer afterwards stays on UDP.
  const DnsAnswer small = run.ask("mx-a.relayaudit.test", kDnsTypeA);
  EXPECT_FALSE(small.truncated_retried_over_tcp);
}

TEST_F(ResolverTest, InvalidNameIsMalformedWithoutAPacket) {
  ResolverLoop run(local_options());
  const DnsAnswer answer = run.ask("bad..name.relayaudit.test", kDnsTypeA);
  EXPECT_EQ(answer.status, DnsStatus::malformed);
  EXPECT_NE(answer.reason.find("not a valid DNS name"), std::string::npos) << answer.reason;
  EXPECT_EQ(run.resolver().stats().udp_packets, 0u);
}

TEST_F(ResolverTest, ServerOnIpv6Loopback) {
  NsdServer v6(committed_zones(), "::1");
  if (!v6.running() && v6.error().find("no free port") != std::string::npos) {
    GTEST_SKIP() << "no IPv6 loopback here";
  }
  ASSERT_TRUE(v6.running()) << v6.error();
  DnsResolverOptions options = local_options();
  options.servers = {v6.spec()};
  ResolverLoop run(options);
  ASSERT_FALSE(run.start_error()) << *run.start_error();
  const DnsAnswer answer = run.ask("mx-a.relayaudit.test", kDnsTypeAaaa);
  ASSERT_EQ(answer.status, DnsStatus::ok) << answer.reason;
  EXPECT_EQ(sorted_texts(answer), std::vector<std::string>{"2001:db8::10"});
  const DnsAnswer big = run.ask("big.relayaudit.test", kDnsTypeA);
  EXPECT_TRUE(big.truncated_retried_over_tcp);
  EXPECT_EQ(big.records.size(), 100u);
}

}  // namespace
}  // namespace relayaudit::testing
