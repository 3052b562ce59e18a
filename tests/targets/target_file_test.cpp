// Targets files (comments, blank and CRLF lines, every bad line reported) and CIDR expansion.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

#include "support/temp_dir.hpp"
#include "targets/target_parser.hpp"

namespace relayaudit {
namespace {

namespace fs = std::filesystem;

using testing::TempDir;

TEST(TargetFile, CommentsBlankLinesCrlfAndEveryBadLine) {
  TempDir dir;
  const auto file = dir.write("fleet.txt",
                              "# gateways of example.test\r\n"
                              "\r\n"
                              "mx1.example.test:2525   # primary\r\n"
                              "192.0.2.7\r\n"
                              "   \t\r\n"
                              "mx1:99999\r\n"
                              "[::1]:25\n"
                              "bad host # two words\n"
                              "#[2001:db8::1]\n"
                              "2001:db8::/126");
  const auto parsed = parse_target_file(file);
  const std::string name = file.string();

  ASSERT_EQ(parsed.targets.size(), 4u);
  EXPECT_EQ(parsed.targets[0].host, "mx1.example.test");
  EXPECT_EQ(parsed.targets[0].port, 2525);
  EXPECT_EQ(parsed.targets[0].spec, "mx1.example.test:2525");
  EXPECT_EQ(parsed.targets[0].origin, name + ":3");
  EXPECT_EQ(parsed.targets[1].kind, TargetKind::ipv4);
  EXPECT_EQ(parsed.targets[1].origin, name + ":4");
  EXPECT_EQ(parsed.targets[2].kind, TargetKind::ipv6);
  EXPECT_EQ(parsed.targets[2].origin, name + ":7");
  EXPECT_EQ(parsed.targets[3].kind, TargetKind::cidr);
  EXPECT_EQ(parsed.targets[3].origin, name + ":10");

  ASSERT_EQ(parsed.errors.size(), 2u);
  EXPECT_EQ(parsed.errors[0].message, name + ":6: 'mx1:99999': port out of range (1-65535)");
  EXPECT_EQ(parsed.errors[1].message,
            name + ":8: 'bad host': contains whitespace (one target per argument or line)");
}

TEST(TargetFile, MailDomainAttributeNamesTheDomainAHostReceivesMailFor) {
  TempDir dir;
  const auto file = dir.write("fleet.txt",
                              "gw1.corp.example:25 mail-domain=Corp.Example. # relay-only gateway\n"
                              "192.0.2.7\tmail-domain=corp.example\n"
                              "192.0.2.32/30 mail-domain=corp.example\n"
                              "corp.example mail-domain=corp.example\n"
                              "192.0.2.8 mail-domain=\n"
                              "192.0.2.9 mail-domain=192.0.2.1\n"
                              "192.0.2.10 mail-domain=a.example mail-domain=b.example\n"
                              "192.0.2.11 domain=corp.example\n"
                              "192.0.2.12 corp.example\n");
  const auto parsed = parse_target_file(file);
  const std::string name = file.string();
  ASSERT_EQ(parsed.targets.size(), 3u);
  EXPECT_EQ(parsed.targets[0].host, "gw1.corp.example");
  EXPECT_EQ(parsed.targets[0].mail_domain, "corp.example");  // lowercase, no trailing dot
  EXPECT_EQ(parsed.targets[0].spec, "gw1.corp.example:25");
  EXPECT_EQ(parsed.targets[1].mail_domain, "corp.example");
  EXPECT_EQ(parsed.targets[2].kind, TargetKind::cidr);
  EXPECT_EQ(parsed.targets[2].mail_domain, "corp.example");
  ASSERT_EQ(parsed.errors.size(), 6u);
  EXPECT_EQ(parsed.errors[0].message,
            name +
                ":4: 'mail-domain=corp.example': a mail domain target needs none: DNS names the "
                "domain of its MX hosts");
  EXPECT_EQ(parsed.errors[1].message, name + ":5: 'mail-domain=': empty mail domain");
  EXPECT_EQ(parsed.errors[2].message,
            name + ":6: 'mail-domain=192.0.2.1': an IPv4 address, not a mail domain");
  EXPECT_EQ(parsed.errors[3].message,
            name + ":7: 'mail-domain=b.example': mail-domain= given twice");
  EXPECT_EQ(parsed.errors[4].message,
            name +
                ":8: 'domain=corp.example': unknown attribute after the target (known: "
                "mail-domain=DOMAIN)");
  EXPECT_EQ(parsed.errors[5].message,
            name +
                ":9: '192.0.2.12 corp.example': contains whitespace (one target per argument "
                "or line)");
}

TEST(TargetFile, DefaultPortAppliesToLinesWithoutOne) {
  TempDir dir;
  const auto parsed = parse_target_file(dir.write("t.txt", "mx1.example.test\nmx2:25\n"), 587);
  ASSERT_EQ(parsed.targets.size(), 2u);
  EXPECT_EQ(parsed.targets[0].port, 587);
  EXPECT_EQ(parsed.targets[1].port, 25);
}

TEST(TargetFile, UnreadableFileIsOneErrorNamingIt) {
  TempDir dir;
  const auto missing = dir.path() / "missing.txt";
  auto parsed = parse_target_file(missing);
  EXPECT_TRUE(parsed.targets.empty());
  ASSERT_EQ(parsed.errors.size(), 1u);
  EXPECT_EQ(parsed.errors[0].message,
            missing.string() + ": cannot read: No such file or directory");

  parsed = parse_target_file(dir.path());
  ASSERT_EQ(parsed.errors.size(), 1u);
  EXPECT_EQ(parsed.errors[0].message, dir.path().string() + ": cannot read: Is a directory");
}

TEST(TargetFile, ExampleFleetParsesCleanly) {
  const auto parsed = parse_target_file(fs::path(RELAYAUDIT_SOURCE_DIR) / "examples/fleet.txt");
  for (const auto& error : parsed.errors) ADD_FAILURE() << error.message;
  EXPECT_GE(parsed.targets.size(), 5u);
}

Target parsed_target(const std::string& spec) {
  auto parsed = parse_target(spec, "argument");
  EXPECT_TRUE(std::holds_alternative<Target>(parsed)) << std::get<TargetError>(parsed).message;
  return std::get<Target>(parsed);
}

TEST(ExpandCidr, Ipv4Slash30IsFourAddresses) {
  const auto endpoints = expand_cidr(parsed_target("192.0.2.6/30:2525"));
  ASSERT_EQ(endpoints.size(), 4u);
  for (int i = 0; i < 4; ++i) {
    EXPECT_EQ(endpoints[i].address, "192.0.2." + std::to_string(4 + i));
    EXPECT_EQ(endpoints[i].port, 2525);
    EXPECT_FALSE(endpoints[i].ipv6);
    EXPECT_TRUE(endpoints[i].host_name.empty());
    EXPECT_EQ(endpoints[i].targets, std::vector<std::string>{"192.0.2.6/30:2525"});
  }
  EXPECT_EQ(endpoints[0].key(), "192.0.2.4:2525");
}

TEST(ExpandCidr, Ipv6Slash120Is256Addresses) {
  const auto endpoints = expand_cidr(parsed_target("2001:db8::/120"));
  ASSERT_EQ(endpoints.size(), 256u);
  EXPECT_EQ(endpoints.front().address, "2001:db8::");
  EXPECT_EQ(endpoints[1].address, "2001:db8::1");
  EXPECT_EQ(endpoints.back().address, "2001:db8::ff");
  EXPECT_TRUE(endpoints.back().ipv6);
  EXPECT_EQ(endpoints.back().key(), "[2001:db8::ff]:25");
}

TEST(ExpandCidr, CarriesAcrossBytesAndKeepsSingleAddresses) {
  const auto wide = expand_cidr(parsed_target("192.0.2.0/23"));
  ASSERT_EQ(wide.size(), 512u);
  EXPECT_EQ(wide[255].address, "192.0.2.255");
  EXPECT_EQ(wide[256].address, "192.0.3.0");
  EXPECT_EQ(wide.back().address, "192.0.3.255");

  EXPECT_EQ(expand_cidr(parsed_target("192.0.2.1/32")).size(), 1u);
  EXPECT_EQ(expand_cidr(parsed_target("192.0.2.1/31")).size(), 2u);
  EXPECT_EQ(expand_cidr(parsed_target("10.0.0.0/16")).size(), 65536u);
}

TEST(ExpandCidr, LargeNetworkIsRefusedWithTheCount) {
  auto parsed = parse_target("10.0.0.0/8", "argument");
  ASSERT_TRUE(std::holds_alternative<TargetError>(parsed));
  EXPECT_EQ(std::get<TargetError>(parsed).message,
            "argument: '10.0.0.0/8': network would expand to 16777216 addresses (limit 65536)");
}

TEST(ExpandCidr, NonCidrTargetExpandsToNothing) {
  EXPECT_TRUE(expand_cidr(parsed_target("192.0.2.1")).empty());
}

}  // namespace
}  // namespace relayaudit
