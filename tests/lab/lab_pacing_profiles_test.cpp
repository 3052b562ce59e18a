// The profiles that tell a client how hard it may push: tarpits, a greet wait, syntax and error
// limits, a connection cap. Exact replies, the command at which each drops, and delays of at
// least the configured time.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "lab_client.hpp"
#include "lab_runner.hpp"

namespace relayaudit::testing {
namespace {

using Clock = std::chrono::steady_clock;

// Configured delays: long beside loopback, short enough to keep the file fast.
constexpr std::chrono::milliseconds kDelay{300};

void open_transaction(LabClient& client) {
  ASSERT_TRUE(client.connected());
  ASSERT_EQ(client.read_reply().code, 220);
  ASSERT_EQ(client.command("EHLO scanner.example").code, 250);
  ASSERT_EQ(client.command("MAIL FROM:<probe@example.org>").code, 250);
}

TEST(LabPacingProfiles, ExchangeTarpitWaitsBeforeEach5xxToRcpt) {
  LabOptions options;
  options.tarpit_delay = kDelay;
  LabRunner lab(one_gateway(LabProfile::exchange_tarpit), options);
  LabClient client(lab.gateway());
  open_transaction(client);
  auto sent = Clock::now();
  EXPECT_EQ(client.command("RCPT TO:<relay@external.example>").last(),
            "554 5.7.1 <relay@external.example>: Relay access denied");
  EXPECT_GE(Clock::now() - sent, kDelay);
  sent = Clock::now();
  EXPECT_EQ(client.command("RCPT TO:<nobody@lab.relayaudit.test>").code, 550);
  EXPECT_GE(Clock::now() - sent, kDelay);
  // Pipelined, the tarpit is paid once per 5xx, one after the other.
  sent = Clock::now();
  ASSERT_TRUE(client.send("RCPT TO:<a@external.example>\r\nRCPT TO:<b@external.example>\r\n"));
  EXPECT_EQ(client.read_reply().code, 554);
  EXPECT_EQ(client.read_reply().code, 554);
  EXPECT_GE(Clock::now() - sent, 2 * kDelay);
  EXPECT_EQ(client.command("RCPT TO:<postmaster>").last(), "250 2.1.5 Ok");
}

TEST(LabPacingProfiles, ExchangeTarpitDropsRightAfterTheFifthProtocolError) {
  LabOptions options;
  options.tarpit_delay = Millis{0};
  LabRunner lab(one_gateway(LabProfile::exchange_tarpit), options);
  LabClient client(lab.gateway());
  ASSERT_EQ(client.read_reply().code, 220);
  EXPECT_EQ(client.command("EHLO").code, 501);                           // protocol error 1
  EXPECT_EQ(client.command("MAIL FROM:<probe@example.org>").code, 503);  // 2
  EXPECT_EQ(client.command("FOO").code, 502);  // not a syntax error: not counted
  EXPECT_EQ(client.command("EHLO scanner.example").code, 250);
  EXPECT_EQ(client.command("RCPT TO:<a@external.example>").code, 503);  // 3
  EXPECT_EQ(client.command("MAIL FROM:<>").code, 250);
  EXPECT_EQ(client.command("RCPT TO:<a@external.example>").code, 554);  // a refusal, not counted
  EXPECT_EQ(client.command("RCPT TO:<>").code, 501);                    // 4
  EXPECT_EQ(client.command("MAIL FROM:<>").last(), "503 5.5.1 Error: nested MAIL command");  // 5
  EXPECT_EQ(client.read_reply().last(),
            "421 4.7.0 Too many errors on this connection, closing transmission channel");
  EXPECT_TRUE(client.wait_closed());
  EXPECT_EQ(lab.stop().stats.error_limit_drops, 1u);
}

TEST(LabPacingProfiles, PostscreenTeasesWaitsThenGreetsAndIsClosed) {
  LabOptions options;
  options.greet_wait = kDelay;
  LabRunner lab(one_gateway(LabProfile::postscreen), options);
  const auto connected = Clock::now();
  LabClient client(lab.gateway());
  EXPECT_EQ(client.read_line(), "220-postscreen-1.lab.relayaudit.test ESMTP");
  EXPECT_EQ(client.read_line(), "220 postscreen-1.lab.relayaudit.test ESMTP relayaudit-lab");
  EXPECT_GE(Clock::now() - connected, kDelay);
  ASSERT_EQ(client.command("EHLO scanner.example").code, 250);
  ASSERT_EQ(client.command("MAIL FROM:<probe@example.org>").code, 250);
  EXPECT_EQ(client.command("RCPT TO:<relay@external.example>").code, 554);
  EXPECT_EQ(client.command("RCPT TO:<postmaster>").code, 250);
  EXPECT_EQ(lab.stop().stats.pregreet_violations, 0u);
}

TEST(LabPacingProfiles, PostscreenHangsUpWith521OnAClientThatTalksFirst) {
  LabOptions options;
  options.greet_wait = kDelay;
  LabRunner lab(one_gateway(LabProfile::postscreen), options);
  LabClient client(lab.gateway());
  EXPECT_EQ(client.read_line(), "220-postscreen-1.lab.relayaudit.test ESMTP");
  ASSERT_TRUE(client.send("EHLO impatient.example\r\n"));
  EXPECT_EQ(client.read_line(), "521 5.5.1 Protocol error");
  EXPECT_TRUE(client.wait_closed());
  EXPECT_EQ(lab.stop().stats.pregreet_violations, 1u);
}

TEST(LabPacingProfiles, EximSyntaxLimitAnswersEveryRoutedForm501) {
  LabOptions options;
  options.syntax_error_limit = 100;  // room for every form in one session
  LabRunner lab(one_gateway(LabProfile::exim_syntax_limit), options);
  LabClient client(lab.gateway());
  open_transaction(client);
  for (const char* form :
       {"<u%x.example@[127.0.0.1]>", "<u%x.example@lab.relayaudit.test>", "<\"u@x.example\">",
        "<\"u%x.example\">", "<u@x.example@[127.0.0.1]>", "<\"u@x.example\"@lab.relayaudit.test>",
        "<@[127.0.0.1]:u@x.example>", "<@a.example,@lab.relayaudit.test:u@x.example>",
        "<x.example!u>", "<x.example!u@[127.0.0.1]>", "<u%x.example@>", "<u@x.example@>"}) {
    EXPECT_EQ(client.command(std::string("RCPT TO:") + form).code, 501) << form;
  }
  EXPECT_EQ(client.command("RCPT TO:<relay@external.example>").last(), "550 relay not permitted");
  EXPECT_EQ(client.command("RCPT TO:<postmaster>").code, 250);
  EXPECT_EQ(client.command("RCPT TO:<postmaster@lab.relayaudit.test>").code, 250);
}

TEST(LabPacingProfiles, EximSyntaxLimitDropsAtTheFourthSyntaxError) {
  LabRunner lab(one_gateway(LabProfile::exim_syntax_limit));
  LabClient client(lab.gateway());
  ASSERT_EQ(client.read_reply().code, 220);
  ASSERT_EQ(client.command("EHLO scanner.example").code, 250);
  EXPECT_EQ(client.command("MAIL FROM:<probe>").last(),
            "501 <probe>: sender address must contain a domain");  // syntax error 1
  EXPECT_EQ(client.command("MAIL FROM:<>").code, 250);
  EXPECT_EQ(client.command("RCPT TO:<relay@external.example>").code, 550);  // not counted
  EXPECT_EQ(client.command("RCPT TO:<u%x.example@[127.0.0.1]>").last(),
            "501 <u%x.example@[127.0.0.1]>: malformed address: routing characters in the local "
            "part");  // 2
  EXPECT_EQ(client.command("RCPT TO:<@[127.0.0.1]:u@x.example>").last(),
            "501 <@[127.0.0.1]:u@x.example>: malformed address: source route");  // 3
  EXPECT_EQ(client.command("RCPT TO:<postmaster>").code, 250);
  SmtpReply fourth = client.command("RCPT TO:<x.example!u@[127.0.0.1]>");
  EXPECT_EQ(fourth.code, 501);
  EXPECT_EQ(fourth.lines,
            (std::vector<std::string>{"501-<x.example!u@[127.0.0.1]>: malformed address: routing "
                                      "characters in the local part",
                                      "501 Too many syntax or protocol errors"}));
  EXPECT_TRUE(client.wait_closed());
  EXPECT_EQ(lab.stop().stats.error_limit_drops, 1u);
}

TEST(LabPacingProfiles, ConnectionLimitRefusesOneConnectionTooManyFromOneAddress) {
  LabOptions options;
  options.connection_limit = 2;
  LabRunner lab({LabGatewayConfig{LabProfile::connection_limit, "127.0.0.1", 0},
                 LabGatewayConfig{LabProfile::connection_limit, "127.0.0.1", 0}},
                options);
  LabClient first(lab.gateway(0));
  LabClient second(lab.gateway(0));
  EXPECT_EQ(first.read_reply().code, 220);
  EXPECT_EQ(second.read_reply().code, 220);
  LabClient third(lab.gateway(0));
  EXPECT_EQ(third.read_reply().last(),
            "421 4.3.2 The maximum number of concurrent connections has exceeded a limit, closing "
            "transmission channel");
  EXPECT_TRUE(third.wait_closed());

  LabClient elsewhere(lab.gateway(1));  // counted per gateway
  EXPECT_EQ(elsewhere.read_reply().code, 220);
  LabClient other_address(lab.gateway(0), LabClient::kTimeout, "127.0.0.2");  // and per address
  ASSERT_TRUE(other_address.connected()) << "all of 127.0.0.0/8 is loopback";
  EXPECT_EQ(other_address.read_reply().code, 220);

  EXPECT_EQ(first.command("QUIT").code, 221);
  EXPECT_TRUE(first.wait_closed());
  LabClient after_one_left(lab.gateway(0));
  EXPECT_EQ(after_one_left.read_reply().code, 220);
  EXPECT_EQ(after_one_left.command("EHLO scanner.example").code, 250);

  LabRunner::Stopped stopped = lab.stop();
  EXPECT_EQ(stopped.stats.connection_limit_refusals, 1u);
  EXPECT_EQ(stopped.stats.peak_connections_per_peer, 2u);
}

TEST(LabPacingProfiles, ErrorSleepDelaysTheReplyAfterTheThirdErrorFirst) {
  LabOptions options;
  options.error_sleep = kDelay;
  LabRunner lab(one_gateway(LabProfile::error_sleep), options);
  LabClient client(lab.gateway());
  open_transaction(client);
  const auto sent = Clock::now();
  ASSERT_TRUE(
      client.send("RCPT TO:<a@external.example>\r\nRCPT TO:<b@external.example>\r\n"
                  "RCPT TO:<c@external.example>\r\nNOOP\r\n"));
  for (int error = 1; error <= 3; ++error) EXPECT_EQ(client.read_reply().code, 554);
  EXPECT_EQ(client.read_reply().last(), "250 2.0.0 Ok");
  // Only the NOOP slept: had the 3rd error's reply slept too, this took two sleeps.
  EXPECT_GE(Clock::now() - sent, kDelay);
  EXPECT_LT(Clock::now() - sent, 2 * kDelay);
}

TEST(LabPacingProfiles, ErrorSleepDelaysEveryReplyThen421AfterTheFifthError) {
  LabOptions options;
  options.error_sleep = kDelay;
  LabRunner lab(one_gateway(LabProfile::error_sleep), options);
  LabClient client(lab.gateway());
  open_transaction(client);
  for (const char* to : {"<a@external.example>", "<b@external.example>", "<c@external.example>"}) {
    ASSERT_EQ(client.command(std::string("RCPT TO:") + to).code, 554);
  }
  const auto sent = Clock::now();
  ASSERT_TRUE(
      client.send("RSET\r\nMAIL FROM:<>\r\nRCPT TO:<d@external.example>\r\n"
                  "RCPT TO:<e@external.example>\r\nNOOP\r\n"));
  EXPECT_EQ(client.read_reply().last(), "250 2.0.0 Ok");
  EXPECT_EQ(client.read_reply().last(), "250 2.1.0 Ok");
  EXPECT_EQ(client.read_reply().code, 554);  // error 4
  EXPECT_EQ(client.read_reply().code, 554);  // error 5: the 421 follows without a command
  EXPECT_GE(Clock::now() - sent, 4 * kDelay);
  EXPECT_EQ(client.read_reply().last(),
            "421 4.7.0 error-sleep-1.lab.relayaudit.test Error: too many errors");
  EXPECT_GE(Clock::now() - sent, 5 * kDelay) << "the 421 slept too";
  EXPECT_TRUE(client.wait_closed()) << "the pipelined NOOP is never answered";
  LabRunner::Stopped stopped = lab.stop();
  EXPECT_EQ(stopped.stats.error_limit_drops, 1u);
  EXPECT_EQ(stopped.stats.peak_errors_per_connection, 5u);
}

TEST(LabPacingProfiles, ErrorSleepDelaysQuitToo) {
  LabOptions options;
  options.error_sleep = kDelay;
  options.soft_error_limit = 1;
  LabRunner lab(one_gateway(LabProfile::error_sleep), options);
  LabClient client(lab.gateway());
  open_transaction(client);
  ASSERT_EQ(client.command("RCPT TO:<a@external.example>").code, 554);
  const auto sent = Clock::now();
  EXPECT_EQ(client.command("QUIT").last(), "221 2.0.0 Bye");
  EXPECT_GE(Clock::now() - sent, kDelay);
  EXPECT_TRUE(client.wait_closed());
}

}  // namespace
}  // namespace relayaudit::testing
