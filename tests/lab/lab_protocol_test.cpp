// The lab's SMTP dialogue over real loopback sockets: greeting, EHLO, commands, pipelining, limits.
#include <gtest/gtest.h>

#include <string>

#include "lab_client.hpp"
#include "lab_runner.hpp"

namespace relayaudit::testing {
namespace {

TEST(LabProtocol, BannerAndEhloCapabilities) {
  LabRunner lab(one_gateway(LabProfile::closed));
  ASSERT_FALSE(lab.start_error()) << *lab.start_error();
  const std::string host = "closed-1.lab.relayaudit.test";
  EXPECT_EQ(lab.gateway().host_name, host);
  LabClient client(lab.gateway());
  ASSERT_TRUE(client.connected());
  SmtpReply banner = client.read_reply();
  EXPECT_EQ(banner.code, 220);
  EXPECT_EQ(banner.last(), "220 " + host + " ESMTP relayaudit-lab");
  SmtpReply ehlo = client.command("EHLO scanner.example");
  EXPECT_EQ(ehlo.code, 250);
  std::vector<std::string> expected{"250-" + host,       "250-PIPELINING",
                                    "250-SIZE 10240000", "250-ENHANCEDSTATUSCODES",
                                    "250-8BITMIME",      "250 SMTPUTF8"};
  EXPECT_EQ(ehlo.lines, expected);
  EXPECT_EQ(client.command("HELO scanner.example").last(), "250 " + host);
  EXPECT_EQ(client.command("QUIT").last(), "221 2.0.0 Bye");
  EXPECT_TRUE(client.wait_closed());
  LabRunner::Stopped stopped = lab.stop();
  EXPECT_EQ(stopped.stats.connections, 1u);
  EXPECT_EQ(stopped.stats.commands, 3u);
}

TEST(LabProtocol, CommandRepliesFollowRfc5321) {
  LabRunner lab(one_gateway(LabProfile::closed));
  LabClient client(lab.gateway());
  ASSERT_EQ(client.read_reply().code, 220);
  EXPECT_EQ(client.command("MAIL FROM:<a@example.org>").last(),
            "503 5.5.1 Error: send HELO/EHLO first");
  EXPECT_EQ(client.command("EHLO").last(), "501 5.5.4 Syntax: EHLO hostname");
  EXPECT_EQ(client.command("helo").last(), "501 5.5.4 Syntax: HELO hostname");
  EXPECT_EQ(client.command("ehlo scanner.example").code, 250);  // verbs are case-insensitive
  EXPECT_EQ(client.command("RCPT TO:<postmaster>").last(), "503 5.5.1 Error: need MAIL command");
  EXPECT_EQ(client.command("MAIL FROM:<a@example.org").last(),
            "501 5.1.7 Bad sender address syntax");
  EXPECT_EQ(client.command("MAIL TO:<a@example.org>").last(),
            "501 5.1.7 Bad sender address syntax");
  EXPECT_EQ(client.command("mail from:<a@example.org> SIZE=1000").last(), "250 2.1.0 Ok");
  EXPECT_EQ(client.command("MAIL FROM:<>").last(), "503 5.5.1 Error: nested MAIL command");
  EXPECT_EQ(client.command("RCPT TO:<>").last(), "501 5.1.3 Bad recipient address syntax");
  EXPECT_EQ(client.command("RSET").last(), "250 2.0.0 Ok");
  EXPECT_EQ(client.command("MAIL FROM:<>").last(), "250 2.1.0 Ok");  // the null sender
  EXPECT_EQ(client.command("NOOP").last(), "250 2.0.0 Ok");
  EXPECT_EQ(client.command("VRFY postmaster").last(), "252 2.0.0 Cannot VRFY user");
  EXPECT_EQ(client.command("STARTTLS").last(), "454 4.7.0 TLS not available due to local problem");
  EXPECT_EQ(client.command("XYZZY").last(), "502 5.5.2 Error: command not recognized");
  ASSERT_TRUE(client.send("NOOP\n"));  // a bare LF ends a line too
  EXPECT_EQ(client.read_reply().last(), "250 2.0.0 Ok");
  EXPECT_EQ(client.command("QUIT").code, 221);
  EXPECT_TRUE(client.wait_closed());
}

TEST(LabProtocol, HalfClosingAfterQuitStillGetsTheReplies) {
  LabRunner lab(one_gateway(LabProfile::closed));
  LabClient client(lab.gateway());
  ASSERT_EQ(client.read_reply().code, 220);
  ASSERT_TRUE(client.send("HELO scanner.example\r\nQUIT\r\nNOOP\r\n"));
  client.shutdown_write();
  EXPECT_EQ(client.read_reply().code, 250);
  EXPECT_EQ(client.read_reply().last(), "221 2.0.0 Bye");
  EXPECT_TRUE(client.wait_closed());  // NOOP after QUIT is never answered
  EXPECT_EQ(lab.stop().stats.commands, 2u);
}

TEST(LabProtocol, PipelinedCommandsAreAnsweredInOrder) {
  LabRunner lab(one_gateway(LabProfile::closed));
  LabClient client(lab.gateway());
  ASSERT_EQ(client.read_reply().code, 220);
  ASSERT_EQ(client.command("EHLO scanner.example").code, 250);
  ASSERT_TRUE(
      client.send("MAIL FROM:<probe@example.org>\r\nRCPT TO:<relay@external.example>\r\n"
                  "RCPT TO:<postmaster@lab.relayaudit.test>\r\nRSET\r\n"));
  EXPECT_EQ(client.read_reply().last(), "250 2.1.0 Ok");
  EXPECT_EQ(client.read_reply().last(), "554 5.7.1 <relay@external.example>: Relay access denied");
  EXPECT_EQ(client.read_reply().last(), "250 2.1.5 Ok");
  EXPECT_EQ(client.read_reply().last(), "250 2.0.0 Ok");
  EXPECT_GT(lab.stats().max_commands_per_read, 1u);
  EXPECT_EQ(lab.stats().commands, 5u);
}

TEST(LabProtocol, DataIsRefusedWithoutAcceptedRecipient) {
  LabRunner lab({LabGatewayConfig{LabProfile::closed, "127.0.0.1", 0},
                 LabGatewayConfig{LabProfile::open, "127.0.0.1", 0}});
  LabClient closed(lab.gateway(0));
  ASSERT_EQ(closed.read_reply().code, 220);
  ASSERT_EQ(closed.command("EHLO scanner.example").code, 250);
  EXPECT_EQ(closed.command("DATA").last(), "554 5.5.1 Error: no valid recipients");
  ASSERT_EQ(closed.command("MAIL FROM:<probe@example.org>").code, 250);
  ASSERT_EQ(closed.command("RCPT TO:<relay@external.example>").code, 554);
  EXPECT_EQ(closed.command("DATA").last(), "554 5.5.1 Error: no valid recipients");

  LabClient open(lab.gateway(1));
  ASSERT_EQ(open.read_reply().code, 220);
  ASSERT_EQ(open.command("EHLO scanner.example").code, 250);
  ASSERT_EQ(open.command("MAIL FROM:<probe@example.org>").code, 250);
  ASSERT_EQ(open.command("RCPT TO:<relay@external.example>").code, 250);
  EXPECT_EQ(open.command("DATA").last(), "354 End data with <CR><LF>.<CR><LF>");
  ASSERT_TRUE(open.send("Subject: x\r\n\r\nQUIT\r\n.\r\n"));  // body lines are not commands
  EXPECT_EQ(open.read_reply().last(), "250 2.0.0 Ok: queued as LAB");
  EXPECT_EQ(open.command("NOOP").code, 250);
  EXPECT_EQ(lab.stats().data_commands, 3u);
  EXPECT_EQ(lab.stats().messages_queued, 1u);
}

TEST(LabProtocol, OverlongLineGets500AndIsDiscarded) {
  LabOptions options;
  options.max_line = 64;
  LabRunner lab(one_gateway(LabProfile::closed), options);
  LabClient client(lab.gateway());
  ASSERT_EQ(client.read_reply().code, 220);
  EXPECT_EQ(client.command("NOOP " + std::string(200, 'x')).last(),
            "500 5.5.2 Error: line too long");
  // A long line split over writes is still one line: one 500, then the rest is skipped.
  ASSERT_TRUE(client.send("NOOP " + std::string(100, 'y')));
  EXPECT_EQ(client.read_reply().last(), "500 5.5.2 Error: line too long");
  ASSERT_TRUE(client.send(std::string(100, 'z') + "\r\nNOOP\r\n"));
  EXPECT_EQ(client.read_reply().last(), "250 2.0.0 Ok");
  EXPECT_EQ(client.command("NOOP " + std::string(59, 'x')).code, 250);  // exactly max_line
}

TEST(LabProtocol, TalkingBeforeTheGreetingIsAPregreet) {
  LabOptions options;
  options.tarpit_banner_delay = Millis{800};
  LabRunner lab(one_gateway(LabProfile::tarpit), options);
  LabClient client(lab.gateway());
  EXPECT_EQ(client.read_line(), "220-tarpit-1.lab.relayaudit.test ESMTP");
  ASSERT_TRUE(client.send("EHLO impatient.example\r\n"));
  EXPECT_EQ(client.read_line(), "554 5.5.1 Protocol error: pregreet");
  EXPECT_TRUE(client.wait_closed());
  EXPECT_EQ(lab.stop().stats.pregreet_violations, 1u);
}

TEST(LabProtocol, TarpitGreetsSlowlyAndDelaysRepliesInOrder) {
  LabOptions options;
  options.tarpit_banner_delay = Millis{150};
  options.tarpit_reply_delay = Millis{50};
  LabRunner lab(one_gateway(LabProfile::tarpit), options);
  LabClient client(lab.gateway());
  auto start = std::chrono::steady_clock::now();
  SmtpReply banner = client.read_reply();
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(140));
  ASSERT_EQ(banner.lines.size(), 2u);
  EXPECT_EQ(banner.last(), "220 tarpit-1.lab.relayaudit.test ESMTP relayaudit-lab");
  start = std::chrono::steady_clock::now();
  ASSERT_TRUE(
      client.send("EHLO scanner.example\r\nMAIL FROM:<>\r\nRCPT TO:<x@external.example>\r\n"));
  EXPECT_EQ(client.read_reply().code, 250);
  EXPECT_EQ(client.read_reply().code, 250);
  EXPECT_EQ(client.read_reply().code, 554);
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(140));
}

}  // namespace
}  // namespace relayaudit::testing
