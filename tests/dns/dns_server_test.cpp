// Resolver specs and resolv.conf parsing (no packet is sent: resolv.conf names port 53).
#include <gtest/gtest.h>
#include <uv.h>

#include "dns/dns_server.hpp"
#include "dns/resolver.hpp"
#include "dns_harness.hpp"
#include "support/process.hpp"

namespace relayaudit::testing {
namespace {

std::string server_text(std::string_view spec) {
  auto parsed = parse_dns_server(spec);
  if (auto* error = std::get_if<std::string>(&parsed)) return "error: " + *error;
  return std::get<DnsServer>(parsed).text();
}

TEST(DnsServerSpec, AcceptedForms) {
  EXPECT_EQ(server_text("127.0.0.1"), "127.0.0.1:53");
  EXPECT_EQ(server_text("127.0.0.1:5353"), "127.0.0.1:5353");
  EXPECT_EQ(server_text("::1"), "[::1]:53");
  EXPECT_EQ(server_text("[::1]"), "[::1]:53");
  EXPECT_EQ(server_text("[::1]:5353"), "[::1]:5353");
  EXPECT_EQ(server_text("[2001:db8::53]:53"), "[2001:db8::53]:53");
  auto parsed = parse_dns_server("[::1]:5353");
  ASSERT_TRUE(std::holds_alternative<DnsServer>(parsed));
  EXPECT_TRUE(std::get<DnsServer>(parsed).ipv6);
  EXPECT_EQ(std::get<DnsServer>(parsed).port, 5353);
}

TEST(DnsServerSpec, RejectedFormsNameTheSpec) {
  for (const char* bad :
       {"", "localhost", "127.0.0.1:", "127.0.0.1:0", "127.0.0.1:65536", "127.0.0.1:53x", "[::1",
        "[::1]5353", "[127.0.0.1]:53", "1.2.3:53", "::1:53:x", "300.0.0.1"}) {
    const std::string text = server_text(bad);
    EXPECT_EQ(text.rfind("error: resolver '" + std::string(bad) + "': ", 0), 0u) << text;
  }
}

TEST(ResolvConf, NameserverLinesOnly) {
  const std::string text =
      "# generated\n"
      "search example.test\n"
      "options timeout:1 attempts:2\n"
      "nameserver 127.0.0.1   # local\n"
      "nameserver\t::1\n"
      "  ; comment\n"
      "nameservers 10.0.0.1\n";
  auto parsed = parse_resolv_conf(text);
  ASSERT_TRUE(std::holds_alternative<std::vector<DnsServer>>(parsed))
      << std::get<std::string>(parsed);
  const auto& servers = std::get<std::vector<DnsServer>>(parsed);
  ASSERT_EQ(servers.size(), 2u);
  EXPECT_EQ(servers[0].text(), "127.0.0.1:53");
  EXPECT_EQ(servers[1].text(), "[::1]:53");
}

TEST(ResolvConf, ErrorsNameTheLine) {
  auto bad = parse_resolv_conf("nameserver 127.0.0.1\nnameserver dns.example\n");
  ASSERT_TRUE(std::holds_alternative<std::string>(bad));
  EXPECT_NE(std::get<std::string>(bad).find("line 2"), std::string::npos);
  auto empty = parse_resolv_conf("search example.test\n");
  ASSERT_TRUE(std::holds_alternative<std::string>(empty));
  EXPECT_EQ(std::get<std::string>(empty), "no 'nameserver' line");
}

TEST(ResolvConf, ResolverReadsTheFileItIsGiven) {
  const std::string dir = make_temp_dir();
  const std::string path = dir + "/resolv.conf";
  write_file(path, "nameserver 127.0.0.1\nnameserver ::1\n");
  uv_loop_t loop;
  uv_loop_init(&loop);
  {
    DnsResolverOptions options;
    options.resolv_conf = path;  // servers empty: the resolv.conf path is used
    DnsResolver resolver(&loop, options);
    EXPECT_EQ(resolver.start(), std::nullopt);
    EXPECT_EQ(resolver.servers(), (std::vector<std::string>{"127.0.0.1:53", "[::1]:53"}));
    resolver.close();
    uv_run(&loop, UV_RUN_DEFAULT);
  }
  EXPECT_EQ(uv_loop_close(&loop), 0);
}

TEST(ResolvConf, MissingFileIsAStartErrorThatNamesIt) {
  uv_loop_t loop;
  uv_loop_init(&loop);
  {
    DnsResolverOptions options;
    options.resolv_conf = "/nonexistent/resolv.conf";
    DnsResolver resolver(&loop, options);
    const auto error = resolver.start();
    ASSERT_TRUE(error.has_value());
    EXPECT_NE(error->find("/nonexistent/resolv.conf"), std::string::npos) << *error;
    // Queries on a resolver that did not start are answered, not dropped.
    DnsAnswer answer;
    resolver.query("example.test", kDnsTypeA, [&](DnsAnswer a) { answer = std::move(a); });
    resolver.close();
    uv_run(&loop, UV_RUN_DEFAULT);
    EXPECT_EQ(answer.status, DnsStatus::network_error);
    EXPECT_NE(answer.reason.find("not started"), std::string::npos) << answer.reason;
  }
  EXPECT_EQ(uv_loop_close(&loop), 0);
}

TEST(DnsResolverOptions, DefaultsAreTheDocumentedOnes) {
  const DnsResolverOptions options;
  EXPECT_EQ(options.resolv_conf, "/etc/resolv.conf");
  EXPECT_EQ(options.timeout, std::chrono::milliseconds(2000));
  EXPECT_EQ(options.retries, 2);
  EXPECT_EQ(options.max_in_flight, 1000u);
  EXPECT_EQ(options.udp_payload_size, 1232);
  EXPECT_EQ(options.max_cname_hops, 8);
}

}  // namespace
}  // namespace relayaudit::testing
