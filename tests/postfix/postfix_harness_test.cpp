// Checks the real-Postfix harness itself: the closed and open instances answer as they must,
// nothing is ever delivered, and stopping leaves no process or directory behind.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "postfix/postfix_fixture.hpp"
#include "postfix/postfix_tls.hpp"
#include "support/postfix_instance.hpp"
#include "support/smtp_test_client.hpp"

namespace relayaudit::testing {
namespace {

using namespace std::chrono_literals;
using Mode = PostfixInstance::Mode;

const std::string kSender = "a@relayaudit-external.invalid";
const std::string kExternalRecipient = "b@relayaudit-external.invalid";
const std::string kScannerHelo = "scanner.relayaudit.test";

// Connects, checks the banner and says EHLO; a fatal failure ends the calling test.
void open_session(SmtpTestClient& client, const PostfixInstance& server, const std::string& helo) {
  ASSERT_EQ(client.connect(server.port()), "") << server.log_tail();
  const SmtpTestReply banner = client.read_reply();
  ASSERT_EQ(banner.code, 220) << banner.describe() << "\n" << server.log_tail();
  EXPECT_EQ(banner.lines.front(), "220 " + server.host_name() + " ESMTP");
  const SmtpTestReply ehlo = client.command("EHLO " + helo);
  ASSERT_EQ(ehlo.code, 250) << ehlo.describe();
  EXPECT_EQ(ehlo.lines.front(), "250-" + server.host_name());
}

// MAIL FROM, RCPT TO:<to>, RSET; returns the RCPT reply.
SmtpTestReply try_recipient(SmtpTestClient& client, const std::string& to) {
  const SmtpTestReply mail = client.command("MAIL FROM:<" + kSender + ">");
  EXPECT_EQ(mail.code, 250) << mail.describe();
  const SmtpTestReply rcpt = client.command("RCPT TO:<" + to + ">");
  const SmtpTestReply rset = client.command("RSET");
  EXPECT_EQ(rset.code, 250) << rset.describe();
  return rcpt;
}

void quit(SmtpTestClient& client) {
  const SmtpTestReply bye = client.command("QUIT");
  EXPECT_EQ(bye.code, 221) << bye.describe();
}

// No daemon may warn: a DNS lookup that failed or a misconfiguration would show up here.
void expect_no_daemon_warnings(const PostfixInstance& server) {
  for (const auto& line : log_lines_with(server.maillog(), "warning:")) {
    if (line.find("postfix/postfix-script[") != std::string::npos) continue;  // install checks
    ADD_FAILURE() << "daemon warning in " << server.maillog_path() << ": " << line;
  }
}

bool process_group_runs(pid_t pgid) {
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;  // not a process
    std::ifstream stat(entry.path() / "stat");
    std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
    const auto paren = text.rfind(')');
    if (paren == std::string::npos) continue;
    std::istringstream fields(text.substr(paren + 1));
    char state = '?';
    pid_t ppid = 0;
    pid_t pgrp = 0;
    fields >> state >> ppid >> pgrp;
    if (pgrp == pgid && state != 'Z') return true;
  }
  return false;
}

class PostfixHarnessTest : public PostfixTest {};

TEST_F(PostfixHarnessTest, ClosedInstanceRefusesRelayAtRcptAndAcceptsPostmaster) {
  std::string error;
  const auto server = PostfixInstance::start(Mode::closed, &error);
  ASSERT_NE(server, nullptr) << error;

  SmtpTestClient client;
  ASSERT_NO_FATAL_FAILURE(open_session(client, *server, kScannerHelo));
  const SmtpTestReply relay = try_recipient(client, kExternalRecipient);
  EXPECT_EQ(relay.code, 554) << relay.describe();
  EXPECT_EQ(relay.enhanced_code(), "5.7.1") << relay.describe();
  EXPECT_NE(relay.describe().find("Relay access denied"), std::string::npos) << relay.describe();
  const SmtpTestReply postmaster = try_recipient(client, "postmaster@" + server->host_name());
  EXPECT_EQ(postmaster.code, 250) << postmaster.describe();
  quit(client);

  EXPECT_EQ(log_lines_with(server->maillog(), "NOQUEUE: reject: RCPT").size(), 1u)
      << server->log_tail();
  expect_no_daemon_warnings(*server);
}

TEST_F(PostfixHarnessTest, OpenInstanceRelaysForLoopbackAndAcceptsPostmaster) {
  std::string error;
  const auto server = PostfixInstance::start(Mode::open, &error);
  ASSERT_NE(server, nullptr) << error;

  SmtpTestClient client;
  ASSERT_NO_FATAL_FAILURE(open_session(client, *server, kScannerHelo));
  const SmtpTestReply relay = try_recipient(client, kExternalRecipient);
  EXPECT_EQ(relay.code, 250) << relay.describe() << "\n" << server->log_tail();
  const SmtpTestReply postmaster = try_recipient(client, "postmaster@" + server->host_name());
  EXPECT_EQ(postmaster.code, 250) << postmaster.describe();
  quit(client);
  expect_no_daemon_warnings(*server);
}

TEST_F(PostfixHarnessTest, InstancesRunSideBySide) {
  std::string error;
  const auto closed = PostfixInstance::start(Mode::closed, &error);
  ASSERT_NE(closed, nullptr) << error;
  const auto open = PostfixInstance::start(Mode::open, &error);
  ASSERT_NE(open, nullptr) << error;
  EXPECT_NE(closed->port(), open->port());
  EXPECT_NE(closed->dir(), open->dir());

  SmtpTestClient to_closed;
  SmtpTestClient to_open;
  ASSERT_NO_FATAL_FAILURE(open_session(to_closed, *closed, kScannerHelo));
  ASSERT_NO_FATAL_FAILURE(open_session(to_open, *open, kScannerHelo));
  EXPECT_EQ(try_recipient(to_closed, kExternalRecipient).code, 554);
  EXPECT_EQ(try_recipient(to_open, kExternalRecipient).code, 250);
}

// The safety net under the whole suite: even a message that is accepted goes nowhere.
TEST_F(PostfixHarnessTest, AcceptedMailIsDiscardedNeverDelivered) {
  std::string error;
  const auto server = PostfixInstance::start(Mode::open, &error);
  ASSERT_NE(server, nullptr) << error;

  SmtpTestClient client;
  ASSERT_NO_FATAL_FAILURE(open_session(client, *server, kScannerHelo));
  ASSERT_EQ(client.command("MAIL FROM:<" + kSender + ">").code, 250);
  ASSERT_EQ(client.command("RCPT TO:<" + kExternalRecipient + ">").code, 250);
  ASSERT_EQ(client.command("DATA").code, 354);
  ASSERT_EQ(client.send_raw("Subject: relayaudit harness self-test\r\n\r\ndiscard me\r\n.\r\n"),
            "");
  const SmtpTestReply queued = client.read_reply();
  ASSERT_EQ(queued.code, 250) << queued.describe();
  quit(client);

  ASSERT_TRUE(server->wait_for_log("status=sent", 15s)) << server->log_tail();
  const std::string log = server->maillog();
  for (const auto& line : log_lines_with(log, "status=")) {
    EXPECT_NE(line.find("postfix/discard["), std::string::npos) << line;
  }
  for (const char* agent :
       {"postfix/smtp[", "postfix/lmtp[", "postfix/local[", "postfix/virtual[", "postfix/pipe["}) {
    EXPECT_TRUE(log_lines_with(log, agent).empty()) << agent << " ran:\n" << server->log_tail();
  }
  expect_no_daemon_warnings(*server);
}

TEST_F(PostfixHarnessTest, MasterCfHasNoDeliveryAgent) {
  std::string error;
  const auto server = PostfixInstance::start(Mode::closed, &error);
  ASSERT_NE(server, nullptr) << error;

  std::istringstream master_cf(read_file(server->config_dir() + "/master.cf"));
  int services = 0;
  for (std::string line; std::getline(master_cf, line);) {
    if (line.empty() || line.front() == '#') continue;
    std::istringstream fields(line);
    std::vector<std::string> field{std::istream_iterator<std::string>(fields), {}};
    ASSERT_GE(field.size(), 8u) << line;
    ++services;
    EXPECT_EQ(field[4], "n") << "nothing may need a chroot: " << line;
    for (const char* agent : {"smtp", "lmtp", "local", "virtual", "pipe", "spawn"})
      EXPECT_NE(field[7], agent) << "delivery agent in master.cf: " << line;
  }
  EXPECT_GT(services, 0);
}

TEST_F(PostfixHarnessTest, NoDnsLookupsAndLoopbackOnly) {
  std::string error;
  const auto server = PostfixInstance::start(Mode::closed, &error);
  ASSERT_NE(server, nullptr) << error;

  const std::string out = server->dir() + "/dns-settings.txt";
  const CommandResult result =
      run_command({"/usr/sbin/postconf", "-c", server->config_dir(), "smtpd_peername_lookup",
                   "smtp_dns_support_level", "lmtp_dns_support_level", "inet_interfaces",
                   "inet_protocols", "smtpd_client_restrictions", "smtpd_helo_restrictions",
                   "smtpd_sender_restrictions", "smtpd_recipient_restrictions"},
                  out, 10s);
  ASSERT_TRUE(result.succeeded()) << result.describe() << "\n" << read_file(out);
  const std::string settings = read_file(out);
  for (const char* expected :
       {"smtpd_peername_lookup = no\n", "smtp_dns_support_level = disabled\n",
        "lmtp_dns_support_level = disabled\n", "inet_interfaces = 127.0.0.1\n",
        "inet_protocols = ipv4\n", "smtpd_client_restrictions =\n", "smtpd_helo_restrictions =\n",
        "smtpd_sender_restrictions =\n", "smtpd_recipient_restrictions =\n"})
    EXPECT_NE(settings.find(expected), std::string::npos) << expected << "in:\n" << settings;

  SmtpTestClient client;
  ASSERT_NO_FATAL_FAILURE(open_session(client, *server, kScannerHelo));
  EXPECT_EQ(try_recipient(client, kExternalRecipient).code, 554);
  quit(client);
  // Without a reverse lookup the client is logged as unknown[127.0.0.1].
  EXPECT_FALSE(log_lines_with(server->maillog(), "connect from unknown[127.0.0.1]").empty())
      << server->log_tail();
  expect_no_daemon_warnings(*server);
}

TEST_F(PostfixHarnessTest, ExtraMainCfLinesBuildAHoleConfig) {
  // A classic hole: relaying for anyone who says a trusted HELO name.
  std::string error;
  const auto server = PostfixInstance::start(
      Mode::closed,
      {"smtpd_relay_restrictions = permit_mynetworks, "
       "check_helo_access inline:{trusted.relayaudit.test=OK}, reject_unauth_destination"},
      &error);
  ASSERT_NE(server, nullptr) << error;
  const std::string main_cf = read_file(server->config_dir() + "/main.cf");
  EXPECT_EQ(log_lines_with(main_cf, "smtpd_relay_restrictions").size(), 1u) << main_cf;

  SmtpTestClient trusted;
  ASSERT_NO_FATAL_FAILURE(open_session(trusted, *server, "trusted.relayaudit.test"));
  EXPECT_EQ(try_recipient(trusted, kExternalRecipient).code, 250) << server->log_tail();
  SmtpTestClient stranger;
  ASSERT_NO_FATAL_FAILURE(open_session(stranger, *server, kScannerHelo));
  EXPECT_EQ(try_recipient(stranger, kExternalRecipient).code, 554) << server->log_tail();
}

TEST_F(PostfixHarnessTest, MisspelledExtraSettingFailsTheStart) {
  std::string error;
  const auto server =
      PostfixInstance::start(Mode::closed, {"smtpd_relay_restriction = permit"}, &error);
  EXPECT_EQ(server, nullptr);
  EXPECT_NE(error.find("unused parameter"), std::string::npos) << error;
}

// A fixed port that is taken moves its listener up one address; the options reach master.cf and
// the test's key pair makes smtpd offer STARTTLS without a warning.
TEST_F(PostfixHarnessTest, ListenersAndTlsKeyPairReachTheConfig) {
  const int holder = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(holder, 0);
  sockaddr_in taken{};
  taken.sin_family = AF_INET;
  taken.sin_port = htons(587);
  ASSERT_EQ(::inet_pton(AF_INET, "127.0.87.40", &taken.sin_addr), 1);
  ASSERT_EQ(::bind(holder, reinterpret_cast<sockaddr*>(&taken), sizeof taken), 0)
      << std::strerror(errno) << " (is another test using 127.0.87.40:587?)";
  ASSERT_EQ(::listen(holder, 1), 0);

  std::string error;
  auto pair = make_key_pair(postfix_certificate_request("closed.postfix.relayaudit.test"), &error);
  ASSERT_TRUE(pair) << error;
  PostfixInstance::Options options;
  options.tls = *pair;
  options.listeners = {{"127.0.87.40", 587, {"syslog_name=postfix/submission"}}};
  const auto server = PostfixInstance::start(Mode::closed, options, &error);
  ::close(holder);
  ASSERT_NE(server, nullptr) << error;
  ASSERT_EQ(server->listeners().size(), 1u);
  EXPECT_EQ(server->listeners()[0].target(), "127.0.87.41:587");
  const std::string master_cf = read_file(server->config_dir() + "/master.cf");
  EXPECT_NE(master_cf.find("\n127.0.87.41:587 inet n - n - - smtpd\n  -o "
                           "syslog_name=postfix/submission\n"),
            std::string::npos)
      << master_cf;

  SmtpTestClient client;
  ASSERT_NO_FATAL_FAILURE(open_session(client, *server, kScannerHelo));
  const SmtpTestReply ehlo = client.command("EHLO " + kScannerHelo);
  EXPECT_NE(std::find(ehlo.lines.begin(), ehlo.lines.end(), "250-STARTTLS"), ehlo.lines.end())
      << ehlo.describe();
  quit(client);
  expect_no_daemon_warnings(*server);
}

// The network rule: a listener anywhere but 127.0.0.0/8 is refused before anything starts.
TEST_F(PostfixHarnessTest, ListenerOffLoopbackFailsTheStart) {
  std::string error;
  PostfixInstance::Options options;
  options.listeners = {{"192.0.2.1", 0, {}}};
  EXPECT_EQ(PostfixInstance::start(Mode::closed, options, &error), nullptr);
  EXPECT_NE(error.find("listener address '192.0.2.1' is not IPv4 loopback"), std::string::npos)
      << error;
}

// smtpd refuses to run without a reject in its relay rules; start() says so at once.
TEST_F(PostfixHarnessTest, HoleConfigWithoutAnyRejectFailsTheStartQuickly) {
  std::string error;
  const auto started = std::chrono::steady_clock::now();
  const auto server = PostfixInstance::start(
      Mode::closed, {"smtpd_relay_restrictions = permit_mynetworks"}, &error);
  EXPECT_EQ(server, nullptr);
  EXPECT_NE(error.find("specify at least one working instance"), std::string::npos) << error;
  EXPECT_LT(std::chrono::steady_clock::now() - started, 10s);
}

TEST_F(PostfixHarnessTest, DestroyingStopsEveryProcessAndRemovesTheDirectory) {
  std::string error;
  auto server = PostfixInstance::start(Mode::closed, &error);
  ASSERT_NE(server, nullptr) << error;
  const pid_t master = server->master_pid();
  const std::string dir = server->dir();
  ASSERT_GT(master, 0);
  ASSERT_TRUE(process_group_runs(master));

  EXPECT_EQ(server->stop(), "") << server->log_tail();
  EXPECT_FALSE(process_group_runs(master));
  server.reset();
  EXPECT_FALSE(process_group_runs(master));
  EXPECT_EQ(::kill(master, 0), -1) << "master " << master << " still exists (maybe as a zombie)";
  EXPECT_FALSE(std::filesystem::exists(dir)) << dir;
}

// What a crashed test leaves behind is cleaned up by the next start().
TEST_F(PostfixHarnessTest, SweepStopsInstancesWhoseOwnerIsGone) {
  std::string error;
  auto server = PostfixInstance::start(Mode::closed, &error);
  ASSERT_NE(server, nullptr) << error;
  const pid_t master = server->master_pid();
  const std::string dir = server->dir();
  {
    std::ofstream owner(dir + "/owner", std::ios::trunc);
    owner << "2147483647 0\n";  // a pid no process has
  }

  PostfixInstance::sweep_abandoned();
  EXPECT_FALSE(process_group_runs(master));
  EXPECT_FALSE(std::filesystem::exists(dir)) << dir;
  server.reset();  // stopping an instance that is already gone is harmless
}

}  // namespace
}  // namespace relayaudit::testing
