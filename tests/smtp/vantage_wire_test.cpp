// The bytes the vantage puts on the wire: XCLIENT's command and PROXY v1/v2 headers.
#include <gtest/gtest.h>

#include <arpa/inet.h>

#include "smtp/proxy_header.hpp"
#include "smtp/xclient.hpp"

namespace relayaudit {
namespace {

sockaddr_storage ipv4_endpoint(const char* ip, std::uint16_t port) {
  sockaddr_storage storage{};
  auto& in4 = reinterpret_cast<sockaddr_in&>(storage);
  in4.sin_family = AF_INET;
  in4.sin_port = htons(port);
  inet_pton(AF_INET, ip, &in4.sin_addr);
  return storage;
}

Greeting ehlo_with(std::vector<std::string> capabilities) {
  Greeting greeting;
  greeting.capabilities = std::move(capabilities);
  return greeting;
}

TEST(VantageWire, XclientAttributesAreReadFromTheEhloReply) {
  const auto attributes =
      advertised_xclient(ehlo_with({"PIPELINING", "xclient NAME ADDR PROTO HELO", "8BITMIME"}));
  ASSERT_TRUE(attributes.has_value());
  EXPECT_EQ(*attributes, (std::vector<std::string>{"NAME", "ADDR", "PROTO", "HELO"}));
  EXPECT_FALSE(advertised_xclient(ehlo_with({"PIPELINING", "XCLIENTS"})).has_value());
}

TEST(VantageWire, XclientSendsOnlyAdvertisedAttributes) {
  std::string problem;
  const Vantage v4{VantageMode::xclient, "203.0.113.7", false};
  EXPECT_EQ(xclient_command(v4, {"ADDR", "NAME", "HELO"}, "scan.example", problem),
            "XCLIENT ADDR=203.0.113.7 NAME=[UNAVAILABLE] HELO=scan.example");
  EXPECT_EQ(xclient_command(v4, {"ADDR"}, "scan.example", problem), "XCLIENT ADDR=203.0.113.7");
  EXPECT_FALSE(xclient_command(v4, {"NAME", "HELO"}, "scan.example", problem).has_value());
  EXPECT_EQ(problem, "the server's XCLIENT does not take ADDR");
  const Vantage v6{VantageMode::xclient, "2001:db8::7", true};
  EXPECT_EQ(xclient_command(v6, {"ADDR"}, "x", problem), "XCLIENT ADDR=IPV6:2001:db8::7");
}

TEST(VantageWire, XtextEscapesPlusEqualsAndBytesOutsidePrintableAscii) {
  EXPECT_EQ(xtext("a+b=c d\x01"), "a+2Bb+3Dc+20d+01");
  EXPECT_EQ(xtext("[UNAVAILABLE]"), "[UNAVAILABLE]");
}

TEST(VantageWire, ProxyV1IsOneTextLine) {
  const Vantage vantage{VantageMode::proxy_v1, "203.0.113.7", false};
  const ProxyHeader header = proxy_header(vantage, 40001, ipv4_endpoint("127.0.0.1", 2525));
  EXPECT_EQ(header.bytes, "PROXY TCP4 203.0.113.7 127.0.0.1 40001 2525\r\n");
}

TEST(VantageWire, ProxyV2IsTheSignatureThenFamilyLengthAddressesAndPorts) {
  const Vantage vantage{VantageMode::proxy_v2, "203.0.113.7", false};
  const ProxyHeader header = proxy_header(vantage, 0x9c41, ipv4_endpoint("127.0.0.1", 25));
  const std::string expected(
      "\x0D\x0A\x0D\x0A\x00\x0D\x0A\x51\x55\x49\x54\x0A"  // signature
      "\x21\x11\x00\x0C"                                  // PROXY, TCP4, 12
      "\xCB\x00\x71\x07"                                  // 203.0.113.7
      "\x7F\x00\x00\x01"                                  // 127.0.0.1
      "\x9C\x41\x00\x19",                                 // 40001, 25
      28);
  EXPECT_EQ(header.bytes, expected);
}

TEST(VantageWire, MixedFamiliesAreTcp6WithTheIpv4SideMapped) {
  const Vantage vantage{VantageMode::proxy_v1, "2001:db8::7", true};
  const ProxyHeader header = proxy_header(vantage, 40001, ipv4_endpoint("127.0.0.1", 25));
  EXPECT_EQ(header.bytes, "PROXY TCP6 2001:db8::7 ::ffff:127.0.0.1 40001 25\r\n");
}

TEST(VantageWire, TheClientMustBeAnIpAddress) {
  std::string problem;
  EXPECT_FALSE(parse_vantage_client("mx.example.com", problem).has_value());
  EXPECT_NE(problem.find("not an IP address"), std::string::npos);
  EXPECT_FALSE(parse_vantage_client("203.0.113.256", problem).has_value());
  const auto v6 = parse_vantage_client("IPV6:2001:DB8:0::7", problem);
  ASSERT_TRUE(v6.has_value());
  EXPECT_EQ(v6->canonical, "2001:db8::7");
  EXPECT_TRUE(v6->ipv6);
}

}  // namespace
}  // namespace relayaudit
