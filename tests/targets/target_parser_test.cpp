// Target spec parsing: a table of good specs with exact results and bad specs with exact errors.
#include "targets/target_parser.hpp"

#include <gtest/gtest.h>

#include <string>

namespace relayaudit {
namespace {

struct GoodSpec {
  std::string spec;
  TargetKind kind;
  std::string host;
  std::uint16_t port;
  bool port_given;
  int prefix_length;
};

const GoodSpec kGoodSpecs[] = {
    {"example.test", TargetKind::mail_domain, "example.test", 25, false, -1},
    {"mx1.example.test:25", TargetKind::host, "mx1.example.test", 25, true, -1},
    {"MX1.Example.TEST.:2525", TargetKind::host, "mx1.example.test", 2525, true, -1},
    {"localhost", TargetKind::host, "localhost", 25, false, -1},
    {"mx.LOCALHOST.", TargetKind::host, "mx.localhost", 25, false, -1},
    {"notlocalhost", TargetKind::mail_domain, "notlocalhost", 25, false, -1},
    {"xn--bcher-kva.example.test:587", TargetKind::host, "xn--bcher-kva.example.test", 587, true,
     -1},
    {"a-b.c1:1", TargetKind::host, "a-b.c1", 1, true, -1},
    {std::string(63, 'a') + ".example.test", TargetKind::mail_domain,
     std::string(63, 'a') + ".example.test", 25, false, -1},
    {"127.0.0.1", TargetKind::ipv4, "127.0.0.1", 25, false, -1},
    {"192.0.2.7:65535", TargetKind::ipv4, "192.0.2.7", 65535, true, -1},
    {"[::1]:25", TargetKind::ipv6, "::1", 25, true, -1},
    {"[2001:DB8::25]", TargetKind::ipv6, "2001:db8::25", 25, false, -1},
    {"::1", TargetKind::ipv6, "::1", 25, false, -1},
    {"2001:db8:0:0::1", TargetKind::ipv6, "2001:db8::1", 25, false, -1},
    {"192.0.2.0/30", TargetKind::cidr, "192.0.2.0", 25, false, 30},
    {"192.0.2.5/30", TargetKind::cidr, "192.0.2.4", 25, false, 30},
    {"192.0.2.0/30:2525", TargetKind::cidr, "192.0.2.0", 2525, true, 30},
    {"192.0.2.9/32", TargetKind::cidr, "192.0.2.9", 25, false, 32},
    {"10.1.2.3/16", TargetKind::cidr, "10.1.0.0", 25, false, 16},
    {"2001:db8::/120", TargetKind::cidr, "2001:db8::", 25, false, 120},
    {"[2001:db8::1ff/120]:587", TargetKind::cidr, "2001:db8::100", 587, true, 120},
};

TEST(ParseTarget, GoodSpecs) {
  for (const auto& good : kGoodSpecs) {
    SCOPED_TRACE(good.spec);
    auto parsed = parse_target(good.spec, "argument");
    ASSERT_TRUE(std::holds_alternative<Target>(parsed)) << std::get<TargetError>(parsed).message;
    const auto& target = std::get<Target>(parsed);
    EXPECT_EQ(target.kind, good.kind);
    EXPECT_EQ(target.host, good.host);
    EXPECT_EQ(target.port, good.port);
    EXPECT_EQ(target.port_given, good.port_given);
    EXPECT_EQ(target.prefix_length, good.prefix_length);
    EXPECT_EQ(target.spec, good.spec);
    EXPECT_EQ(target.origin, "argument");
  }
}

TEST(ParseTarget, TrimsWhitespaceAndUsesDefaultPort) {
  auto parsed = parse_target("  \tmx1.example.test \r\n", "fleet.txt:3", 2525);
  ASSERT_TRUE(std::holds_alternative<Target>(parsed));
  const auto& target = std::get<Target>(parsed);
  EXPECT_EQ(target.spec, "mx1.example.test");
  EXPECT_EQ(target.origin, "fleet.txt:3");
  EXPECT_EQ(target.port, 2525);
  EXPECT_FALSE(target.port_given);
}

struct BadSpec {
  std::string spec;
  std::string error;  // a substring of the message after "argument: '<spec>': "
};

const BadSpec kBadSpecs[] = {
    {"", "empty target"},
    {"   ", "empty target"},
    {"host:", "missing port after ':'"},
    {":25", "missing host before ':'"},
    {"a b", "contains whitespace"},
    {"[::1", "missing ']' after the IPv6 address"},
    {"[::1]:", "missing port after ':'"},
    {"[::1]x", "unexpected 'x' after ']' (expected ':port')"},
    {"[]", "empty brackets"},
    {"[192.0.2.1]:25", "brackets are only for IPv6 addresses"},
    {"1.2.3.4.5", "'1.2.3.4.5' is not a valid IPv4 address"},
    {"256.1.1.1", "'256.1.1.1' is not a valid IPv4 address"},
    {"1.2.3", "'1.2.3' is not a valid IPv4 address"},
    {"01.2.3.4", "'01.2.3.4' is not a valid IPv4 address"},
    {"mx1:99999", "port out of range (1-65535)"},
    {"mx1:0", "port out of range (1-65535)"},
    {"mx1:99999999999999999999", "port out of range (1-65535)"},
    {"mx1:abc", "port 'abc' is not a number"},
    {"mx1:-1", "port '-1' is not a number"},
    {"fe80::1%eth0", "IPv6 zone id '%eth0' is not supported"},
    {"[fe80::1%eth0]:25", "IPv6 zone id '%eth0' is not supported"},
    {"2001:db8::g", "'2001:db8::g' is not a valid IPv6 address"},
    {"mx_1.example.test", "'_' is not allowed in host names"},
    {"mx1!.example.test", "character '!' is not allowed in host names"},
    {"-mx.example.test", "label '-mx' starts or ends with a hyphen"},
    {"mx-.example.test", "label 'mx-' starts or ends with a hyphen"},
    {"mx..example.test", "empty label in host name"},
    {".example.test", "empty label in host name"},
    {std::string(64, 'a') + ".example.test", "is longer than 63 characters"},
    {std::string(250, 'a')
             .replace(50, 1, ".")
             .replace(100, 1, ".")
             .replace(150, 1, ".")
             .replace(200, 1, ".") +
         ".test",
     "host name is longer than 253 characters"},
    {"10.0.0.0/8", "network would expand to 16777216 addresses (limit 65536)"},
    {"192.0.2.0/15", "network would expand to 131072 addresses (limit 65536)"},
    {"2001:db8::/64", "network would expand to 2^64 addresses (limit 65536)"},
    {"192.0.2.0/33", "prefix length '33' is not a number from 0 to 32"},
    {"192.0.2.0/", "prefix length '' is not a number from 0 to 32"},
    {"2001:db8::/x", "prefix length 'x' is not a number from 0 to 128"},
    {"mx1/24", "'mx1' is not a valid IPv4 network address"},
    {"http://mx1.example.test/relay", "a URL with scheme 'http': give host:port"},
    {"HTTPS://mx1.example.test", "a URL with scheme 'HTTPS'"},
};

TEST(ParseTarget, BadSpecs) {
  for (const auto& bad : kBadSpecs) {
    SCOPED_TRACE(bad.spec);
    auto parsed = parse_target(bad.spec, "argument");
    ASSERT_TRUE(std::holds_alternative<TargetError>(parsed));
    const auto& message = std::get<TargetError>(parsed).message;
    EXPECT_NE(message.find(bad.error), std::string::npos) << message;
  }
}

TEST(ParseTarget, ErrorMessageNamesOriginAndSpec) {
  auto parsed = parse_target(" mx1:99999 ", "fleet.txt:7");
  ASSERT_TRUE(std::holds_alternative<TargetError>(parsed));
  EXPECT_EQ(std::get<TargetError>(parsed).message,
            "fleet.txt:7: 'mx1:99999': port out of range (1-65535)");

  parsed = parse_target("", "argument");
  ASSERT_TRUE(std::holds_alternative<TargetError>(parsed));
  EXPECT_EQ(std::get<TargetError>(parsed).message, "argument: '': empty target");
}

TEST(EndpointKey, BracketsOnlyIpv6) {
  Endpoint v4{"127.0.0.1", 25, false, "", {}, {}};
  Endpoint v6{"::1", 2525, true, "", {}, {}};
  EXPECT_EQ(v4.key(), "127.0.0.1:25");
  EXPECT_EQ(v6.key(), "[::1]:2525");
}

TEST(ParseTarget, SmtpsUrlsAreOneHostSpeakingTlsFromTheFirstByte) {
  struct Case {
    std::string spec;
    TargetKind kind;
    std::string host;
    std::uint16_t port;
    bool implicit_tls;
  };
  const Case cases[] = {
      {"smtps://mx2.corp.example:2465", TargetKind::host, "mx2.corp.example", 2465, true},
      {"smtps://mx2.corp.example", TargetKind::host, "mx2.corp.example", 465, true},
      {"SMTPS://192.0.2.7", TargetKind::ipv4, "192.0.2.7", 465, true},
      {"smtps://[2001:db8::25]:2465", TargetKind::ipv6, "2001:db8::25", 2465, true},
      {"smtp://corp.example", TargetKind::host, "corp.example", 25, false},
      {"smtp://192.0.2.7:587", TargetKind::ipv4, "192.0.2.7", 587, false},
  };
  for (const Case& c : cases) {
    auto parsed = parse_target(c.spec, "argument", 25);
    ASSERT_TRUE(std::holds_alternative<Target>(parsed)) << c.spec;
    const Target& target = std::get<Target>(parsed);
    EXPECT_EQ(target.kind, c.kind) << c.spec;
    EXPECT_EQ(target.host, c.host) << c.spec;
    EXPECT_EQ(target.port, c.port) << c.spec;
    EXPECT_EQ(target.implicit_tls, c.implicit_tls) << c.spec;
    EXPECT_EQ(target.spec, c.spec) << "the spec is kept as written";
  }
  auto network = parse_target("smtps://192.0.2.0/24", "argument", 25);
  ASSERT_TRUE(std::holds_alternative<TargetError>(network));
  EXPECT_NE(std::get<TargetError>(network).message.find("smtps://192.0.2.0/24"), std::string::npos);
  EXPECT_TRUE(std::holds_alternative<TargetError>(parse_target("smtps://", "argument", 25)));
}

}  // namespace
}  // namespace relayaudit
