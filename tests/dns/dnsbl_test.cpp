// check_dnsbl against nsd serving dnsbl.relayaudit.test: listed with codes and TXT, not listed,
// refused-query and out-of-range codes as errors, IPv6 nibbles.
#include <gtest/gtest.h>

#include "dns/dnsbl.hpp"
#include "dns_harness.hpp"

namespace relayaudit::testing {
namespace {

constexpr const char* kZone = "dnsbl.relayaudit.test";

TEST(DnsblQueryName, Ipv4OctetsAreReversed) {
  EXPECT_EQ(dnsbl_query_name("127.0.0.2", "zen.example"), "2.0.0.127.zen.example");
  EXPECT_EQ(dnsbl_query_name("192.0.2.10", "Zen.Example."), "10.2.0.192.zen.example");
}

TEST(DnsblQueryName, Ipv6NibblesAreReversed) {
  EXPECT_EQ(dnsbl_query_name("2001:db8::1", "zen.example"),
            "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.zen.example");
  EXPECT_EQ(dnsbl_query_name("::1", "z.example"),
            "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.z.example");
}

TEST(DnsblQueryName, BadInputHasNoName) {
  EXPECT_EQ(dnsbl_query_name("mail.example", "zen.example"), std::nullopt);
  EXPECT_EQ(dnsbl_query_name("256.1.1.1", "zen.example"), std::nullopt);
  EXPECT_EQ(dnsbl_query_name("fe80::1%eth0", "zen.example"), std::nullopt);
  EXPECT_EQ(dnsbl_query_name("127.0.0.2", "bad..zone"), std::nullopt);
  EXPECT_EQ(dnsbl_query_name("127.0.0.2", ""), std::nullopt);
}

using DnsblTest = NsdTest;

DnsblResult check(ResolverLoop& run, const std::string& address, const std::string& zone = kZone) {
  std::optional<DnsblResult> result;
  check_dnsbl(run.resolver(), address, zone, [&](DnsblResult value) { result = std::move(value); });
  EXPECT_TRUE(run.run_until([&] { return result.has_value(); })) << address;
  return result.value_or(DnsblResult{});
}

TEST_F(DnsblTest, ListedAddressHasItsCodeAndReason) {
  ResolverLoop run(local_options());
  const DnsblResult result = check(run, "127.0.0.2");
  EXPECT_EQ(result.status, DnsblStatus::listed) << result.error;
  EXPECT_EQ(result.query_name, "2.0.0.127.dnsbl.relayaudit.test");
  EXPECT_EQ(result.return_codes, std::vector<std::string>{"127.0.0.2"});
  EXPECT_EQ(result.reason, "Listed for testing: see https://dnsbl.relayaudit.test/127.0.0.2");
  EXPECT_TRUE(result.error.empty());
}

TEST_F(DnsblTest, SeveralReturnCodesAndASplitTxt) {
  ResolverLoop run(local_options());
  DnsblResult result = check(run, "192.0.2.10");
  EXPECT_EQ(result.status, DnsblStatus::listed) << result.error;
  std::sort(result.return_codes.begin(), result.return_codes.end());
  EXPECT_EQ(result.return_codes, (std::vector<std::string>{"127.0.0.2", "127.0.0.4"}));
  EXPECT_EQ(result.reason, "Open relay observed");
}

TEST_F(DnsblTest, UnlistedAddressIsNotListed) {
  ResolverLoop run(local_options());
  const DnsblResult result = check(run, "127.0.0.3");
  EXPECT_EQ(result.status, DnsblStatus::not_listed);
  EXPECT_EQ(result.dns_status, DnsStatus::nxdomain);
  EXPECT_TRUE(result.return_codes.empty());
  EXPECT_EQ(run.resolver().stats().questions, 1u) << "no TXT lookup when not listed";
}

TEST_F(DnsblTest, QueryRefusedCodeIsAnErrorNotAListing) {
  ResolverLoop run(local_options());
  const DnsblResult result = check(run, "192.0.2.99");
  EXPECT_EQ(result.status, DnsblStatus::error);
  EXPECT_EQ(result.return_codes, std::vector<std::string>{"127.255.255.254"});
  EXPECT_NE(result.error.find("refused the query"), std::string::npos) << result.error;
}

TEST_F(DnsblTest, CodeOutsideLoopbackRangeIsAnError) {
  ResolverLoop run(local_options());
  const DnsblResult result = check(run, "192.0.2.98");
  EXPECT_EQ(result.status, DnsblStatus::error);
  EXPECT_NE(result.error.find("outside 127.0.0.0/8"), std::string::npos) << result.error;
}

TEST_F(DnsblTest, Ipv6AddressByNibbles) {
  ResolverLoop run(local_options());
  const DnsblResult listed = check(run, "2001:db8::1");
  EXPECT_EQ(listed.status, DnsblStatus::listed) << listed.error;
  EXPECT_EQ(listed.return_codes, std::vector<std::string>{"127.0.0.3"});
  EXPECT_EQ(listed.reason, "IPv6 listing");
  EXPECT_EQ(check(run, "2001:db8::2").status, DnsblStatus::not_listed);
}

TEST_F(DnsblTest, ZoneTheServerDoesNotKnowIsAnError) {
  ResolverLoop run(local_options());
  const DnsblResult result = check(run, "127.0.0.2", "zen.example.invalid");
  EXPECT_EQ(result.status, DnsblStatus::error);
  EXPECT_EQ(result.dns_status, DnsStatus::refused);
  EXPECT_FALSE(result.error.empty());
}

TEST_F(DnsblTest, BadAddressIsAnErrorWithoutAQuery) {
  ResolverLoop run(local_options());
  const DnsblResult result = check(run, "mail.example");
  EXPECT_EQ(result.status, DnsblStatus::error);
  EXPECT_NE(result.error.find("not a numeric IPv4 or IPv6 address"), std::string::npos)
      << result.error;
  EXPECT_EQ(run.resolver().stats().udp_packets, 0u);
}

}  // namespace
}  // namespace relayaudit::testing
