// Each relay policy of the lab answers RCPT (and what comes before it) the way its profile says.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <string>
#include <thread>

#include "lab_client.hpp"
#include "lab_runner.hpp"

namespace relayaudit::testing {
namespace {

// Connects, reads the banner, says EHLO and MAIL FROM; the client is then ready for RCPT.
void open_transaction(LabClient& client, const char* sender = "<probe@example.org>") {
  ASSERT_TRUE(client.connected());
  ASSERT_EQ(client.read_reply().code, 220);
  ASSERT_EQ(client.command("EHLO scanner.example").code, 250);
  ASSERT_EQ(client.command(std::string("MAIL FROM:") + sender).code, 250);
}

TEST(LabProfiles, ClosedRefusesRelayAndAcceptsLocalUsers) {
  LabRunner lab(one_gateway(LabProfile::closed));
  LabClient client(lab.gateway());
  open_transaction(client);
  EXPECT_EQ(client.command("RCPT TO:<relay@external.example>").last(),
            "554 5.7.1 <relay@external.example>: Relay access denied");
  EXPECT_EQ(client.command("RCPT TO:<postmaster@lab.relayaudit.test>").last(), "250 2.1.5 Ok");
  EXPECT_EQ(client.command("RCPT TO:<postmaster>").code, 250);
  EXPECT_EQ(client.command("RCPT TO:<Alice@[127.0.0.1]>").code, 250);
  EXPECT_EQ(client.command("RCPT TO:<bob@CLOSED-1.lab.relayaudit.test>").code, 250);
  EXPECT_EQ(client.command("RCPT TO:<nobody@lab.relayaudit.test>").last(),
            "550 5.1.1 <nobody@lab.relayaudit.test>: Recipient address rejected: User unknown "
            "in local recipient table");
  for (const char* trick :
       {"<u%external.example@[127.0.0.1]>", "<external.example!u@lab.relayaudit.test>",
        "<\"u@external.example\"@lab.relayaudit.test>", "<u@external.example@[127.0.0.1]>",
        "<@lab.relayaudit.test:u@external.example>", "<postmaster@>"}) {
    EXPECT_EQ(client.command(std::string("RCPT TO:") + trick).code, 554) << trick;
  }
}

TEST(LabProfiles, OpenAcceptsEveryRecipient) {
  LabRunner lab(one_gateway(LabProfile::open));
  LabClient client(lab.gateway());
  open_transaction(client);
  EXPECT_EQ(client.command("RCPT TO:<relay@external.example>").last(), "250 2.1.5 Ok");
  EXPECT_EQ(client.command("RCPT TO:<u%x@[127.0.0.1]>").code, 250);
  EXPECT_EQ(client.command("RCPT TO:<a b@x>").code, 501);  // not plausible as a path
}

TEST(LabProfiles, GreylistingDefersUntilTheWindowHasPassed) {
  LabOptions options;
  options.greylist_window = Millis{200};
  LabRunner lab(one_gateway(LabProfile::greylisting), options);
  {
    LabClient client(lab.gateway());
    open_transaction(client);
    EXPECT_EQ(client.command("RCPT TO:<relay@external.example>").last(),
              "450 4.2.0 <relay@external.example>: Recipient address rejected: Greylisted, see "
              "https://postgrey.schweikert.ch/help/");
    EXPECT_EQ(client.command("RCPT TO:<relay@external.example>").code, 450);  // still too soon
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  LabClient client(lab.gateway());
  open_transaction(client);
  EXPECT_EQ(client.command("RCPT TO:<relay@external.example>").last(), "250 2.1.5 Ok");
  EXPECT_EQ(client.command("RCPT TO:<other@external.example>").code, 450);  // a new triplet
}

TEST(LabProfiles, GreylistForeverNeverAccepts) {
  LabRunner lab(one_gateway(LabProfile::greylist_forever));
  LabClient client(lab.gateway());
  open_transaction(client);
  EXPECT_EQ(client.command("RCPT TO:<postmaster>").last(),
            "450 4.7.1 <postmaster>: Recipient address rejected: Try again later");
}

TEST(LabProfiles, EhloRejectIsAnOpenRelayBehindHelo) {
  LabRunner lab(one_gateway(LabProfile::ehlo_reject));
  LabClient client(lab.gateway());
  ASSERT_EQ(client.read_reply().code, 220);
  EXPECT_EQ(client.command("EHLO scanner.example").last(),
            "502 5.5.2 Error: command not recognized");
  EXPECT_EQ(client.command("HELO scanner.example").last(), "250 ehlo-reject-1.lab.relayaudit.test");
  EXPECT_EQ(client.command("MAIL FROM:<probe@example.org>").code, 250);
  EXPECT_EQ(client.command("RCPT TO:<relay@external.example>").code, 250);
}

TEST(LabProfiles, StarttlsRequiredRefusesMailInPlaintext) {
  LabRunner lab(one_gateway(LabProfile::starttls_required));
  LabClient client(lab.gateway());
  ASSERT_EQ(client.read_reply().code, 220);
  SmtpReply ehlo = client.command("EHLO scanner.example");
  EXPECT_NE(std::find(ehlo.lines.begin(), ehlo.lines.end(), "250-STARTTLS"), ehlo.lines.end());
  EXPECT_EQ(client.command("MAIL FROM:<probe@example.org>").last(),
            "530 5.7.0 Must issue a STARTTLS command first");
  EXPECT_EQ(client.command("STARTTLS extra").code, 501);
  EXPECT_EQ(client.command("STARTTLS").last(), "220 2.0.0 Ready to start TLS");
}

TEST(LabProfiles, StarttlsBrokenAdvertisesItAndAnswers454) {
  LabRunner lab(one_gateway(LabProfile::starttls_broken));
  LabClient client(lab.gateway());
  ASSERT_EQ(client.read_reply().code, 220);
  SmtpReply ehlo = client.command("EHLO scanner.example");
  EXPECT_NE(std::find(ehlo.lines.begin(), ehlo.lines.end(), "250-STARTTLS"), ehlo.lines.end());
  EXPECT_EQ(client.command("STARTTLS").code, 454);
  EXPECT_EQ(client.command("MAIL FROM:<probe@example.org>").code, 250) << "still plaintext SMTP";
}

TEST(LabProfiles, ErrorLimitDisconnectsAfterTooManyErrors) {
  LabOptions options;
  options.error_limit = 3;
  LabRunner lab(one_gateway(LabProfile::error_limit), options);
  LabClient client(lab.gateway());
  open_transaction(client);
  EXPECT_EQ(client.command("RCPT TO:<a@external.example>").code, 554);
  EXPECT_EQ(client.command("RCPT TO:<b@external.example>").code, 554);
  EXPECT_EQ(client.command("RCPT TO:<c@external.example>").last(),
            "421 4.7.0 error-limit-1.lab.relayaudit.test Error: too many errors");
  EXPECT_TRUE(client.wait_closed());
}

TEST(LabProfiles, PercentHackRelaysThroughItsAddressLiteralOnly) {
  LabRunner lab({LabGatewayConfig{LabProfile::percent_hack, "127.0.0.1", 0},
                 LabGatewayConfig{LabProfile::closed, "127.0.0.1", 0}});
  LabClient hole(lab.gateway(0));
  open_transaction(hole);
  EXPECT_EQ(hole.command("RCPT TO:<u%x.example@[127.0.0.1]>").last(), "250 2.1.5 Ok");
  // By name is relay-percent-hack-name's hole, which this profile does not have.
  EXPECT_EQ(hole.command("RCPT TO:<u%x.example@percent-hack-1.lab.relayaudit.test>").code, 554);
  EXPECT_EQ(hole.command("RCPT TO:<u%x.example@external.example>").code, 554);
  EXPECT_EQ(hole.command("RCPT TO:<u%lab.relayaudit.test@[127.0.0.1]>").code, 554);  // not a relay
  EXPECT_EQ(hole.command("RCPT TO:<u@x.example>").code, 554);

  LabClient closed(lab.gateway(1));
  open_transaction(closed);
  EXPECT_EQ(closed.command("RCPT TO:<u%x.example@[127.0.0.1]>").code, 554);
}

TEST(LabProfiles, DropMidPlanClosesAtTheNthRcpt) {
  LabOptions options;
  options.drop_at_rcpt = 2;
  LabRunner lab(one_gateway(LabProfile::drop_mid_plan), options);
  LabClient client(lab.gateway());
  open_transaction(client);
  EXPECT_EQ(client.command("RCPT TO:<a@external.example>").code, 554);
  SmtpReply dropped = client.command("RCPT TO:<b@external.example>");
  EXPECT_EQ(dropped.code, -1);
  EXPECT_TRUE(dropped.lines.empty());
  EXPECT_TRUE(client.wait_closed());
}

TEST(LabProfiles, RejectBannerRefusesEverythingButQuit) {
  LabRunner lab(one_gateway(LabProfile::reject_banner));
  LabClient client(lab.gateway());
  EXPECT_EQ(client.read_reply().last(),
            "554 5.3.2 reject-banner-1.lab.relayaudit.test No SMTP service here");
  EXPECT_EQ(client.command("EHLO scanner.example").last(), "503 5.5.1 Error: no SMTP service");
  EXPECT_EQ(client.command("QUIT").last(), "221 2.0.0 Bye");
  EXPECT_TRUE(client.wait_closed());
}

TEST(LabProfiles, BinaryReplyCarriesBytesThatAreNotUtf8) {
  LabRunner lab(one_gateway(LabProfile::binary_reply));
  const std::string host = "binary-reply-1.lab.relayaudit.test";
  LabClient client(lab.gateway());
  EXPECT_EQ(
      client.read_reply().last(),
      "220 " + host + " ESMTP \xff\xfe <script>alert(1)</script> ]]> \"quoted\" \x01\x07 \xc3\x28");
  SmtpReply ehlo = client.command("EHLO scanner.example");
  ASSERT_EQ(ehlo.code, 250);
  EXPECT_EQ(ehlo.lines.front(), "250-" + host + " \xe2\x28\xa1");
  EXPECT_EQ(ehlo.lines.back(), "250 SMTPUTF8");
  ASSERT_EQ(client.command("MAIL FROM:<>").code, 250);
  EXPECT_EQ(client.command("RCPT TO:<x@external.example>").last(),
            "554 5.7.1 <x@external.example>: Relay access denied \xff\xc0 <b>x</b>");
  EXPECT_EQ(client.command("RCPT TO:<postmaster>").last(), "250 2.1.5 Ok \xff\xc0 <b>x</b>");
}

}  // namespace
}  // namespace relayaudit::testing
