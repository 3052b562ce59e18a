// An outsider's view from inside: a Postfix with mynetworks = 127.0.0.0/8 trusts the runner and
// relays for it; with --xclient or a PROXY header naming 203.0.113.7 the same Postfix must be
// judged closed, and a Postfix that does not take the vantage is inconclusive, never open.
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "postfix/postfix_scan.hpp"
#include "postfix/postfix_tls.hpp"
#include "support/postfix_instance.hpp"

namespace relayaudit::testing {
namespace {

using Mode = PostfixInstance::Mode;
constexpr const char* kOutsider = "203.0.113.7";

// The one endpoint's verdict; the run block must state the vantage it ran from.
std::string verdict_of(const Scan& result, const PostfixInstance& server, const std::string& mode) {
  const std::string why = diagnostics(result, server);
  EXPECT_TRUE(result.run.error.empty() && !result.run.timed_out) << why;
  EXPECT_TRUE(result.parse_error.empty()) << why;
  if (!result.results.contains("endpoints") || result.results["endpoints"].size() != 1) {
    ADD_FAILURE() << "expected one endpoint\n" << why;
    return "";
  }
  const nlohmann::json vantage = result.results["run"].value("vantage", nlohmann::json());
  EXPECT_EQ(vantage.value("mode", ""), mode) << why;
  if (mode == "direct") {
    EXPECT_TRUE(vantage.contains("client") && vantage["client"].is_null()) << why;
  } else {
    EXPECT_EQ(vantage.value("client", ""), kOutsider) << why;
  }
  return result.results["endpoints"][0].value("verdict", "");
}

std::unique_ptr<PostfixInstance> start_xclient_trusting(std::string* error) {
  return PostfixInstance::start(Mode::open, {"smtpd_authorized_xclient_hosts = 127.0.0.1"}, error);
}

TEST_F(ScanPostfixTest, XclientTurnsTheRunnersOpenRelayIntoTheOutsidersClosedServer) {
  std::string error;
  const auto server = start_xclient_trusting(&error);
  ASSERT_NE(server, nullptr) << error;
  const std::string target = "127.0.0.1:" + std::to_string(server->port());

  const Scan direct = scan_target(*server, target, {}, "direct");
  EXPECT_EQ(verdict_of(direct, *server, "direct"), "open-relay") << diagnostics(direct, *server);
  EXPECT_EQ(direct.run.exit_code, 1);

  const Scan outsider = scan_target(*server, target, {"--xclient", kOutsider}, "xclient");
  const std::string why = diagnostics(outsider, *server);
  EXPECT_EQ(verdict_of(outsider, *server, "xclient"), "closed") << why;
  EXPECT_EQ(outsider.run.exit_code, 0) << why;
  // Postfix logged the sessions as the outsider's: XCLIENT was applied, not just answered.
  EXPECT_FALSE(log_lines_with(server->maillog(), "client=unknown[203.0.113.7]").empty() &&
               log_lines_with(server->maillog(), "from unknown[203.0.113.7]").empty())
      << why;
  expect_nothing_queued(*server);
}

TEST_F(ScanPostfixTest, XclientAfterStarttlsInsideTheSameTlsSession) {
  std::string error;
  PostfixInstance::Options options;
  options.main_cf = {"smtpd_authorized_xclient_hosts = 127.0.0.1"};
  auto pair = make_key_pair(postfix_certificate_request("open.postfix.relayaudit.test"), &error);
  ASSERT_TRUE(pair.has_value()) << error;
  options.tls = *pair;
  const auto server = PostfixInstance::start(Mode::open, options, &error);
  ASSERT_NE(server, nullptr) << error;
  const std::string target = "127.0.0.1:" + std::to_string(server->port());
  const Scan outsider = scan_target(*server, target, {"--xclient", kOutsider}, "xclient-tls");
  const std::string why = diagnostics(outsider, *server);
  EXPECT_EQ(verdict_of(outsider, *server, "xclient"), "closed") << why;
  const auto& endpoint = outsider.results["endpoints"][0];
  EXPECT_EQ(endpoint["tls"].value("established", false), true) << why;
  // --tls auto: the plan ran inside TLS, each session sending XCLIENT after STARTTLS.
  bool inside_tls = false;
  for (const auto& test : endpoint["tests"])
    inside_tls = inside_tls || test.value("path", "") == "tls";
  EXPECT_TRUE(inside_tls) << why;
  expect_nothing_queued(*server);
}

TEST_F(ScanPostfixTest, XclientWithoutTheAuthorizationIsInconclusiveVantageNotSimulated) {
  std::string error;
  const auto server = PostfixInstance::start(Mode::open, &error);  // no authorized XCLIENT hosts
  ASSERT_NE(server, nullptr) << error;
  const std::string target = "127.0.0.1:" + std::to_string(server->port());
  const Scan outsider = scan_target(*server, target, {"--xclient", kOutsider}, "refused");
  const std::string why = diagnostics(outsider, *server);
  EXPECT_EQ(verdict_of(outsider, *server, "xclient"), "inconclusive") << why;
  EXPECT_EQ(outsider.run.exit_code, 3) << why;
  const std::string reason = outsider.results["endpoints"][0].value("verdict_reason", "");
  EXPECT_EQ(reason.rfind("vantage not simulated: ", 0), 0u) << why;
  // Postfix 3.7 does not advertise XCLIENT to an unauthorized client, or refuses it with 550.
  EXPECT_TRUE(reason.find("does not offer XCLIENT") != std::string::npos ||
              reason.find("550") != std::string::npos)
      << reason;
  expect_nothing_queued(*server);
}

TEST_F(ScanPostfixTest, ProxyProtocolV1AndV2BehindHaproxyAreJudgedAsTheOutsider) {
  std::string error;
  PostfixInstance::Options options;
  options.listeners.push_back(
      PostfixInstance::Listener{"127.0.0.1", 0, {"smtpd_upstream_proxy_protocol=haproxy"}});
  const auto server = PostfixInstance::start(Mode::open, options, &error);
  ASSERT_NE(server, nullptr) << error;
  const std::string balanced = server->listeners().at(0).target();
  for (const char* version : {"v1", "v2"}) {
    SCOPED_TRACE(version);
    const Scan outsider =
        scan_target(*server, balanced, {"--proxy-protocol", version, "--proxy-source", kOutsider},
                    std::string("proxy-") + version);
    const std::string why = diagnostics(outsider, *server);
    EXPECT_EQ(verdict_of(outsider, *server, std::string("proxy-") + version), "closed") << why;
    EXPECT_EQ(outsider.run.exit_code, 0) << why;
  }
  // The same headers sent to the plain listener, which expects none: never judged. Postfix
  // answers v1's line as an unknown command; v2's signature holds "QUIT", and it hangs up.
  const std::string plain = "127.0.0.1:" + std::to_string(server->port());
  for (const char* version : {"v1", "v2"}) {
    SCOPED_TRACE(version);
    const Scan unexpected =
        scan_target(*server, plain, {"--proxy-protocol", version, "--proxy-source", kOutsider},
                    std::string("proxy-plain-") + version);
    const std::string why = diagnostics(unexpected, *server);
    EXPECT_EQ(verdict_of(unexpected, *server, std::string("proxy-") + version), "inconclusive")
        << why;
    EXPECT_EQ(unexpected.results["endpoints"][0]
                  .value("verdict_reason", "")
                  .rfind("vantage not simulated: ", 0),
              0u)
        << why;
  }
  expect_nothing_queued(*server);
}

TEST_F(ScanPostfixTest, ProxyHeaderGoesBeforeImplicitTls) {
  std::string error;
  PostfixInstance::Options options;
  auto pair = make_key_pair(postfix_certificate_request("open.postfix.relayaudit.test"), &error);
  ASSERT_TRUE(pair.has_value()) << error;
  options.tls = *pair;
  options.listeners.push_back(
      PostfixInstance::Listener{"127.0.0.1",
                                0,
                                {"smtpd_tls_wrappermode=yes", "smtpd_tls_security_level=encrypt",
                                 "smtpd_upstream_proxy_protocol=haproxy"}});
  const auto server = PostfixInstance::start(Mode::open, options, &error);
  ASSERT_NE(server, nullptr) << error;
  const std::string target = "smtps://" + server->listeners().at(0).target();
  const Scan outsider = scan_target(
      *server, target, {"--proxy-protocol", "v2", "--proxy-source", kOutsider}, "proxy-smtps");
  const std::string why = diagnostics(outsider, *server);
  EXPECT_EQ(verdict_of(outsider, *server, "proxy-v2"), "closed") << why;
  const auto& endpoint = outsider.results["endpoints"][0];
  EXPECT_EQ(endpoint["tls"].value("implicit", false), true) << why;
  EXPECT_EQ(endpoint["tls"].value("established", false), true) << why;
  expect_nothing_queued(*server);
}

}  // namespace
}  // namespace relayaudit::testing
