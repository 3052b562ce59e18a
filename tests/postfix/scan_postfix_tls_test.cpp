// relayaudit against real Postfix speaking TLS: STARTTLS required, wrappermode on a port that is
// not 465, the TLS facts of a closed server, and submission services on 587 with and without AUTH.
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "postfix/postfix_scan.hpp"
#include "postfix/postfix_tls.hpp"
#include "support/postfix_instance.hpp"
#include "support/process.hpp"

namespace relayaudit::testing {
namespace {

using Mode = PostfixInstance::Mode;

// Postfix 3.7 and the scanner both link this machine's OpenSSL 3: they agree on TLS 1.3.
constexpr const char* kProtocol = "TLSv1.3";

// The single endpoint of a scan that must have run to the end.
const nlohmann::json& only_endpoint(const Scan& result, const std::string& why) {
  static const nlohmann::json kNone = nlohmann::json::object();
  EXPECT_TRUE(result.run.error.empty() && !result.run.timed_out) << why;
  EXPECT_TRUE(result.parse_error.empty()) << why;
  if (!result.results.contains("endpoints") || result.results["endpoints"].size() != 1) {
    ADD_FAILURE() << "expected exactly one endpoint\n" << why;
    return kNone;
  }
  return result.results["endpoints"][0];
}

std::unique_ptr<PostfixInstance> start_with_tls(Mode mode, PostfixInstance::Options options,
                                                std::string* error) {
  const std::string host =
      mode == Mode::open ? "open.postfix.relayaudit.test" : "closed.postfix.relayaudit.test";
  auto pair = make_key_pair(postfix_certificate_request(host), error);
  if (!pair) return nullptr;
  options.tls = *pair;
  return PostfixInstance::start(mode, options, error);
}

// An open relay (mynetworks 127.0.0.0/8) that requires STARTTLS: smtpd_tls_security_level =
// encrypt, so the relay only opens once TLS is up.
std::unique_ptr<PostfixInstance> start_starttls_required(std::string* error) {
  PostfixInstance::Options options;
  options.main_cf = {"smtpd_tls_security_level = encrypt"};
  return start_with_tls(Mode::open, options, error);
}

// An open relay found inside TLS: exit 1, the TLS block of that path, and the plain external
// recipient accepted.
void expect_relay_found_inside_tls(const Scan& result, const nlohmann::json& endpoint,
                                   const std::string& why, bool implicit) {
  EXPECT_EQ(result.run.exit_code, 1) << why;
  EXPECT_EQ(endpoint.value("verdict", ""), "open-relay") << why;
  const nlohmann::json tls = endpoint.value("tls", nlohmann::json::object());
  EXPECT_EQ(tls.value("starttls_offered", implicit), !implicit) << why;
  EXPECT_EQ(tls.value("implicit", !implicit), implicit) << why;
  EXPECT_EQ(tls.value("established", false), true) << why;
  EXPECT_EQ(tls.value("protocol", ""), kProtocol) << why;
  const nlohmann::json* relay = find_test(endpoint, "relay-external-sender");
  ASSERT_NE(relay, nullptr) << why;
  EXPECT_EQ(relay->value("outcome", ""), "accepted") << why;
  EXPECT_EQ(relay->value("verdict", ""), "fail") << why;
}

TEST_F(ScanPostfixTest, StarttlsRequiredRelayIsFoundOverTls) {
  std::string error;
  const auto server = start_starttls_required(&error);
  ASSERT_NE(server, nullptr) << error;

  const Scan result = scan(*server);
  const std::string why = diagnostics(result, *server);
  const nlohmann::json& endpoint = only_endpoint(result, why);
  expect_relay_found_inside_tls(result, endpoint, why, false);
  // --tls auto also runs the baseline in plaintext, where encrypt refuses MAIL until STARTTLS.
  int plain = 0;
  for (const auto& test : endpoint["tests"]) {
    if (test.value("path", "") == "tls") continue;
    SCOPED_TRACE(test.value("id", "?"));
    ++plain;
    EXPECT_EQ(test.value("outcome", ""), "blocked") << why;
    EXPECT_EQ(test.value("stage", ""), "mail") << why;
    EXPECT_EQ(test.value("refusal", ""), "tls-required") << why;
  }
  EXPECT_EQ(plain, 4) << "the three baseline attempts and the control\n" << why;
  EXPECT_FALSE(log_lines_with(server->maillog(), "TLS connection established").empty()) << why;
  expect_nothing_queued(*server);
}

// The same server with --tls never: Postfix answers 530 to MAIL, RCPT and RSET alike (RFC 3207
// §4), and each test is blocked at MAIL, not lost as a reply stream out of step. The core scripts
// only: past smtpd_soft_error_limit every 530 costs a second (the whole library took 68 s).
TEST_F(ScanPostfixTest, StarttlsRequiredRelayInPlaintextIsBlockedAtMail) {
  std::string error;
  const auto server = start_starttls_required(&error);
  ASSERT_NE(server, nullptr) << error;

  const Scan plain = scan_target(*server, "127.0.0.1:" + std::to_string(server->port()),
                                 {"--tls", "never", "--tests", "core"}, "plain");
  const std::string why = diagnostics(plain, *server);
  const nlohmann::json& endpoint = only_endpoint(plain, why);
  EXPECT_EQ(plain.run.exit_code, 3) << "inconclusive is unproven: " << why;
  EXPECT_EQ(endpoint.value("verdict", ""), "inconclusive") << why;
  EXPECT_EQ(endpoint["tls"].value("starttls_offered", false), true) << why;
  EXPECT_EQ(endpoint["tls"].value("established", true), false) << why;
  EXPECT_TRUE(failed_ids(endpoint).empty()) << why;
  for (const auto& test : endpoint["tests"]) {
    SCOPED_TRACE(test.value("id", "?"));
    EXPECT_EQ(test.value("path", ""), "plain");
    EXPECT_EQ(test.value("outcome", ""), "blocked");
    EXPECT_EQ(test.value("stage", ""), "mail");
    EXPECT_EQ(test.value("verdict", ""), "inconclusive");
    ASSERT_TRUE(test.contains("reply") && test["reply"].is_object()) << why;
    EXPECT_EQ(test["reply"].value("code", 0), 530);
    ASSERT_EQ(test["reply"]["lines"].size(), 1u) << why;
    EXPECT_EQ(test["reply"]["lines"][0], "530 5.7.0 Must issue a STARTTLS command first");
  }
  expect_nothing_queued(*server);
}

// The same listener written without smtps://: silent for --tls-detect-after (5 s by default),
// so it is tried with TLS from the first byte, and the relay is found inside TLS.
TEST_F(WrappermodePostfixTest, WithoutTheSchemeTheSilentPortIsDetectedAsImplicitTls) {
  const Scan result = scan_target(*server_, wrappermode_target(), {}, "detect");
  const std::string why = diagnostics(result, *server_);
  const nlohmann::json& endpoint = only_endpoint(result, why);
  expect_relay_found_inside_tls(result, endpoint, why, true);
  for (const auto& test : endpoint["tests"])
    EXPECT_EQ(test.value("path", ""), "tls") << test.value("id", "?") << "\n" << why;
  bool silence_noted = false;
  for (const auto& line : endpoint["transcript"]) {
    const std::string text = line.at(3).get<std::string>();  // [t_ms, session, dir, line]
    silence_noted = silence_noted || text.find("not one byte within 5s") != std::string::npos;
  }
  EXPECT_TRUE(silence_noted) << why;
  expect_nothing_queued(*server_);
}

// smtps:// to a wrappermode listener on a port that is not 465: TLS from the first byte.
TEST_F(WrappermodePostfixTest, SmtpsSchemeFindsTheRelayBehindWrappermode) {
  const Scan result = scan_target(*server_, "smtps://" + wrappermode_target());
  const std::string why = diagnostics(result, *server_);
  const nlohmann::json& endpoint = only_endpoint(result, why);
  expect_relay_found_inside_tls(result, endpoint, why, true);
  for (const auto& test : endpoint["tests"])
    EXPECT_EQ(test.value("path", ""), "tls") << test.value("id", "?") << "\n" << why;
  // The scan went to the wrappermode service, not the plain one.
  EXPECT_FALSE(log_lines_with(server_->maillog(), "postfix/smtps/smtpd").empty()) << why;
  expect_nothing_queued(*server_);
}

// A closed server offering STARTTLS: closed, and the certificate the test made is what is reported.
TEST_F(ScanPostfixTest, ClosedStarttlsServerReportsItsCertificateAndTrust) {
  std::string error;
  const CertificateRequest request = postfix_certificate_request("closed.postfix.relayaudit.test");
  auto pair = make_key_pair(request, &error);
  ASSERT_TRUE(pair) << error;
  PostfixInstance::Options options;
  options.tls = *pair;
  const auto server = PostfixInstance::start(Mode::closed, options, &error);
  ASSERT_NE(server, nullptr) << error;
  const std::string ca_file = server->dir() + "/ca.pem";
  write_file(ca_file, pair->certificate_pem);
  const std::string target = "127.0.0.1:" + std::to_string(server->port());

  const Scan untrusted = scan_target(*server, target, {}, "untrusted");
  std::string why = diagnostics(untrusted, *server);
  const nlohmann::json& endpoint = only_endpoint(untrusted, why);
  EXPECT_EQ(untrusted.run.exit_code, 0) << why;
  EXPECT_EQ(endpoint.value("verdict", ""), "closed") << why;
  const nlohmann::json tls = endpoint.value("tls", nlohmann::json::object());
  EXPECT_EQ(tls.value("starttls_offered", false), true) << why;
  EXPECT_EQ(tls.value("established", false), true) << why;
  EXPECT_EQ(tls.value("protocol", ""), kProtocol) << why;
  EXPECT_FALSE(tls.value("cipher", "").empty()) << why;
  EXPECT_EQ(tls.value("chain_trusted", true), false) << why;
  EXPECT_EQ(tls.value("verify_error", ""), "self-signed certificate") << why;
  EXPECT_EQ(tls.value("group", ""), "x25519") << why;
  EXPECT_TRUE(tls["checked_host"].is_null()) << "an IP target names no host\n" << why;
  EXPECT_TRUE(tls["host_matches"].is_null()) << why;
  ASSERT_EQ(tls.value("certificates", nlohmann::json::array()).size(), 1u) << why;
  const nlohmann::json& leaf = tls["certificates"][0];
  EXPECT_EQ(leaf.value("subject", ""), "CN=closed.postfix.relayaudit.test") << why;
  EXPECT_EQ(leaf.value("issuer", ""), "CN=closed.postfix.relayaudit.test") << why;
  EXPECT_EQ(leaf.value("dns_names", nlohmann::json::array()), nlohmann::json(request.dns_names))
      << why;
  // --tls auto: the plan inside TLS; the baseline attempts and the control also in plaintext.
  int plain = 0;
  for (const auto& test : endpoint["tests"]) {
    plain += test.value("path", "") == "plain" ? 1 : 0;
    EXPECT_EQ(test.value("verdict", ""), "pass") << test.value("id", "?") << "\n" << why;
  }
  EXPECT_EQ(plain, 4) << why;

  const Scan trusted = scan_target(*server, target, {"--ca-file", ca_file}, "trusted");
  why = diagnostics(trusted, *server);
  const nlohmann::json& trusted_endpoint = only_endpoint(trusted, why);
  EXPECT_EQ(trusted.run.exit_code, 0) << why;
  EXPECT_EQ(trusted_endpoint.value("verdict", ""), "closed") << why;
  EXPECT_EQ(trusted_endpoint["tls"].value("chain_trusted", false), true) << why;
  EXPECT_TRUE(trusted_endpoint["tls"]["verify_error"].is_null()) << why;

  // localhost never goes to DNS (/etc/hosts): the name is checked against the SANs, which do not
  // hold it. Only the 127.0.0.1 endpoint is read: a hosts file may add ::1, where nothing listens.
  const Scan named =
      scan_target(*server, "localhost:" + std::to_string(server->port()), {}, "named");
  why = diagnostics(named, *server);
  ASSERT_TRUE(named.parse_error.empty()) << why;
  const nlohmann::json* loopback = nullptr;
  for (const auto& candidate : named.results["endpoints"])
    if (candidate.value("address", "") == "127.0.0.1") loopback = &candidate;
  ASSERT_NE(loopback, nullptr) << why;
  EXPECT_EQ(loopback->value("verdict", ""), "closed") << why;
  EXPECT_EQ((*loopback)["tls"].value("checked_host", ""), "localhost") << why;
  EXPECT_EQ((*loopback)["tls"].value("host_matches", true), false) << why;

  expect_nothing_queued(*server);
}

// The name check also says yes: a certificate whose SANs hold localhost.
TEST_F(ScanPostfixTest, HostNameInTheSansMatches) {
  std::string error;
  auto pair = make_key_pair(
      CertificateRequest{"closed.postfix.relayaudit.test", {"localhost"}, -1, 30}, &error);
  ASSERT_TRUE(pair) << error;
  PostfixInstance::Options options;
  options.tls = *pair;
  const auto server = PostfixInstance::start(Mode::closed, options, &error);
  ASSERT_NE(server, nullptr) << error;
  const Scan named = scan_target(*server, "localhost:" + std::to_string(server->port()));
  const std::string why = diagnostics(named, *server);
  ASSERT_TRUE(named.parse_error.empty()) << why;
  const nlohmann::json* loopback = nullptr;
  for (const auto& candidate : named.results["endpoints"])
    if (candidate.value("address", "") == "127.0.0.1") loopback = &candidate;
  ASSERT_NE(loopback, nullptr) << why;
  EXPECT_EQ(loopback->value("verdict", ""), "closed") << why;
  EXPECT_EQ((*loopback)["tls"].value("checked_host", ""), "localhost") << why;
  EXPECT_EQ((*loopback)["tls"].value("host_matches", false), true) << why;
  expect_nothing_queued(*server);
}

// A submission service on 587 of an address other than 127.0.0.1, TLS required and no AUTH.
PostfixInstance::Listener submission(std::vector<std::string> relay_options) {
  PostfixInstance::Listener listener{
      "127.0.87.1",
      587,
      {"syslog_name=postfix/submission", "smtpd_tls_security_level=encrypt",
       "smtpd_sasl_auth_enable=no"}};
  for (auto& option : relay_options) listener.options.push_back(std::move(option));
  return listener;
}

// The classic mistake: the submission service keeps main.cf's relay policy, whose
// permit_mynetworks covers every loopback client, so it relays without AUTH.
TEST_F(ScanPostfixTest, SubmissionWithoutAuthRelaysOverTls) {
  std::string error;
  PostfixInstance::Options options;
  options.listeners = {submission({})};
  const auto server = start_with_tls(Mode::open, options, &error);
  ASSERT_NE(server, nullptr) << error;
  const PostfixInstance::BoundListener& listener = server->listeners().at(0);
  ASSERT_EQ(listener.port, 587);

  const Scan result = scan_target(*server, listener.target());
  const std::string why = diagnostics(result, *server);
  const nlohmann::json& endpoint = only_endpoint(result, why);
  EXPECT_EQ(result.run.exit_code, 1) << why;
  EXPECT_EQ(endpoint.value("address", ""), listener.address) << why;
  EXPECT_EQ(endpoint.value("verdict", ""), "open-relay") << why;
  EXPECT_EQ(endpoint["tls"].value("established", false), true) << why;
  const nlohmann::json* no_auth = find_test(endpoint, "relay-submission-no-auth");
  ASSERT_NE(no_auth, nullptr) << "the script must apply on port 587\n" << why;
  EXPECT_EQ(no_auth->value("path", ""), "tls") << why;
  EXPECT_EQ(no_auth->value("outcome", ""), "accepted") << why;
  EXPECT_EQ(no_auth->value("verdict", ""), "fail") << why;
  EXPECT_FALSE(log_lines_with(server->maillog(), "postfix/submission/smtpd").empty()) << why;
  expect_nothing_queued(*server);
}

// The same service with master.cf's recommended override: only authenticated users relay, and
// with AUTH off nobody is, so the attempt is refused at RCPT. `reject` refuses
// postmaster@<host name> too, but real Postfix still accepts the bare <postmaster> RFC 5321
// 4.5.1 requires: the control's next form proves the server takes mail, and it is closed.
TEST_F(ScanPostfixTest, SubmissionRequiringAuthRefusesTheRelay) {
  std::string error;
  PostfixInstance::Options options;
  options.listeners = {submission({"smtpd_relay_restrictions=permit_sasl_authenticated,reject"})};
  // Not 127.0.87.1: ctest -j may run the other submission test at the same time.
  options.listeners[0].address = "127.0.87.17";
  const auto server = start_with_tls(Mode::open, options, &error);
  ASSERT_NE(server, nullptr) << error;
  const PostfixInstance::BoundListener& listener = server->listeners().at(0);
  ASSERT_EQ(listener.port, 587);

  const Scan result = scan_target(*server, listener.target());
  const std::string why = diagnostics(result, *server);
  const nlohmann::json& endpoint = only_endpoint(result, why);
  EXPECT_EQ(endpoint.value("address", ""), listener.address) << why;
  EXPECT_TRUE(failed_ids(endpoint).empty()) << why;
  const nlohmann::json* no_auth = find_test(endpoint, "relay-submission-no-auth");
  ASSERT_NE(no_auth, nullptr) << why;
  EXPECT_EQ(no_auth->value("path", ""), "tls") << why;
  EXPECT_EQ(no_auth->value("outcome", ""), "rejected") << why;
  EXPECT_EQ(no_auth->value("stage", ""), "rcpt") << why;
  EXPECT_EQ(no_auth->value("verdict", ""), "pass") << why;
  EXPECT_EQ((*no_auth)["reply"].value("code", 0), 554) << why;
  EXPECT_EQ(result.run.exit_code, 0) << why;
  EXPECT_EQ(endpoint.value("verdict", ""), "closed") << why;
  const nlohmann::json* control = find_test(endpoint, "control-postmaster");
  ASSERT_NE(control, nullptr) << why;
  EXPECT_EQ(control->value("outcome", ""), "accepted") << why;
  EXPECT_EQ((*control)["rcpt_to"], nlohmann::json::array({"postmaster"})) << why;
  EXPECT_EQ(control->value("detail", "").rfind("refused first: <postmaster@", 0), 0u) << why;
  expect_nothing_queued(*server);
}

}  // namespace
}  // namespace relayaudit::testing
