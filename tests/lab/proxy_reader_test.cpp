// The lab reads PROXY headers the way Postfix's haproxy support does: whole, bounded, strict.
#include <gtest/gtest.h>

#include "lab/proxy_reader.hpp"
#include "lab/xclient_request.hpp"

namespace relayaudit {
namespace {

TEST(LabProxyReader, V1GivesTheSourceAndItsLength) {
  const std::string header = "PROXY TCP4 203.0.113.7 127.0.0.1 40001 25\r\n";
  const ProxyRead read = read_proxy_header(header + "EHLO x\r\n");
  ASSERT_EQ(read.state, ProxyRead::State::done);
  EXPECT_EQ(read.source_ip, "203.0.113.7");
  EXPECT_EQ(read.consumed, header.size());
}

TEST(LabProxyReader, AHeaderSplitAcrossReadsIsIncompleteUntilItsEnd) {
  EXPECT_EQ(read_proxy_header("PRO").state, ProxyRead::State::incomplete);
  EXPECT_EQ(read_proxy_header("PROXY TCP4 203.0.113.7").state, ProxyRead::State::incomplete);
  EXPECT_EQ(read_proxy_header(std::string("\r\n\r\n\0\r\nQU", 9)).state,
            ProxyRead::State::incomplete);
}

TEST(LabProxyReader, GarbageAndUnknownAreRefused) {
  EXPECT_EQ(read_proxy_header("EHLO scanner\r\n").state, ProxyRead::State::bad);
  EXPECT_EQ(read_proxy_header("PROXY UNKNOWN\r\n").state, ProxyRead::State::bad);
  EXPECT_EQ(read_proxy_header("PROXY TCP4 mx.example 127.0.0.1 1 25\r\n").state,
            ProxyRead::State::bad);
  EXPECT_EQ(read_proxy_header("PROXY TCP4 " + std::string(200, '1')).state, ProxyRead::State::bad);
}

TEST(LabProxyReader, V2GivesTheSource) {
  const std::string header(
      "\x0D\x0A\x0D\x0A\x00\x0D\x0A\x51\x55\x49\x54\x0A\x21\x11\x00\x0C"
      "\xCB\x00\x71\x07\x7F\x00\x00\x01\x9C\x41\x00\x19",
      28);
  const ProxyRead read = read_proxy_header(header);
  ASSERT_EQ(read.state, ProxyRead::State::done);
  EXPECT_EQ(read.source_ip, "203.0.113.7");
  EXPECT_EQ(read.consumed, 28u);
}

TEST(LabXclient, AttributesAreParsedAndBadOnesGet501) {
  const XclientRequest request =
      parse_xclient_request("ADDR=IPV6:2001:db8::7 NAME=[UNAVAILABLE] HELO=scan+2Eexample");
  EXPECT_TRUE(request.error.empty()) << request.error;
  EXPECT_EQ(request.addr, "2001:db8::7");
  EXPECT_EQ(request.helo, "scan.example");
  EXPECT_EQ(parse_xclient_request("ADDR=999.1.1.1").error.rfind("501 5.5.4 Bad ADDR syntax", 0),
            0u);
  EXPECT_EQ(parse_xclient_request("COLOR=red").error.rfind("501 5.5.4", 0), 0u);
  EXPECT_TRUE(is_loopback_client("127.0.0.1"));
  EXPECT_FALSE(is_loopback_client("203.0.113.7"));
}

}  // namespace
}  // namespace relayaudit
