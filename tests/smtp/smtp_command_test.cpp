// The verb -> reply codes table: which replies each command can get (RFC 5321 §4.3.2).
#include <gtest/gtest.h>

#include "smtp/smtp_command.hpp"

namespace relayaudit {
namespace {

Reply reply(int code, std::string enhanced = "") {
  Reply r;
  r.code = code;
  r.enhanced = std::move(enhanced);
  r.lines.push_back(std::to_string(code) + " " + (r.enhanced.empty() ? "" : r.enhanced + " ") +
                    "text");
  return r;
}

bool fits(SmtpCommand command, int code, std::string enhanced = "") {
  return !reply_misfit(command, reply(code, std::move(enhanced))).has_value();
}

TEST(ReplyTable, EachCommandGetsOnlyItsOwnPositiveCodes) {
  EXPECT_TRUE(fits(SmtpCommand::banner, 220));
  EXPECT_FALSE(fits(SmtpCommand::banner, 250));
  EXPECT_TRUE(fits(SmtpCommand::banner, 554));
  EXPECT_TRUE(fits(SmtpCommand::ehlo, 250));
  EXPECT_FALSE(fits(SmtpCommand::ehlo, 220)) << "a second banner is never an EHLO reply";
  EXPECT_FALSE(fits(SmtpCommand::helo, 221));
  EXPECT_TRUE(fits(SmtpCommand::mail, 250));
  EXPECT_FALSE(fits(SmtpCommand::mail, 251));
  EXPECT_FALSE(fits(SmtpCommand::mail, 354));
  EXPECT_TRUE(fits(SmtpCommand::rcpt, 250));
  EXPECT_TRUE(fits(SmtpCommand::rcpt, 251));
  EXPECT_FALSE(fits(SmtpCommand::rcpt, 220));
  EXPECT_FALSE(fits(SmtpCommand::rcpt, 354));
  EXPECT_TRUE(fits(SmtpCommand::data, 354));
  EXPECT_FALSE(fits(SmtpCommand::data, 250));
  EXPECT_TRUE(fits(SmtpCommand::rset, 250));
  EXPECT_FALSE(fits(SmtpCommand::rset, 221));
  // Postfix with smtpd_tls_security_level = encrypt, before STARTTLS (RFC 3207 §4).
  EXPECT_TRUE(fits(SmtpCommand::rset, 530, "5.7.0"));
  EXPECT_TRUE(fits(SmtpCommand::quit, 221));
  EXPECT_FALSE(fits(SmtpCommand::quit, 250)) << "a shifted stream answers QUIT with RSET's 250";
}

TEST(ReplyTable, RefusalsFitTransactionCommandsButNotRsetOrQuit) {
  for (SmtpCommand command : {SmtpCommand::ehlo, SmtpCommand::helo, SmtpCommand::mail,
                              SmtpCommand::rcpt, SmtpCommand::data}) {
    EXPECT_TRUE(fits(command, 450)) << to_string(command);
    EXPECT_TRUE(fits(command, 554)) << to_string(command);
  }
  // RCPT and RSET replies swapped: RSET gets the relay refusal.
  EXPECT_FALSE(fits(SmtpCommand::rset, 554));
  EXPECT_FALSE(fits(SmtpCommand::rset, 550));
  EXPECT_FALSE(fits(SmtpCommand::quit, 550));
}

TEST(ReplyTable, ShutdownAndSyntaxErrorsFitEveryCommand) {
  for (SmtpCommand command :
       {SmtpCommand::banner, SmtpCommand::ehlo, SmtpCommand::helo, SmtpCommand::mail,
        SmtpCommand::rcpt, SmtpCommand::data, SmtpCommand::rset, SmtpCommand::quit}) {
    for (int code : {421, 500, 501, 502, 504}) {
      EXPECT_TRUE(fits(command, code)) << to_string(command) << " " << code;
    }
  }
}

TEST(ReplyTable, EnhancedCodesOfANeighbouringCommandAreAMisfit) {
  EXPECT_TRUE(fits(SmtpCommand::mail, 250, "2.1.0"));
  EXPECT_TRUE(fits(SmtpCommand::rcpt, 250, "2.1.5"));
  EXPECT_TRUE(fits(SmtpCommand::rset, 250, "2.0.0"));
  EXPECT_TRUE(fits(SmtpCommand::rcpt, 250, "2.0.0")) << "some MTAs answer every command 2.0.0";
  const auto misfit = reply_misfit(SmtpCommand::rcpt, reply(250, "2.1.0"));
  ASSERT_TRUE(misfit.has_value());
  EXPECT_NE(misfit->find("2.1.0"), std::string::npos) << *misfit;
  EXPECT_FALSE(fits(SmtpCommand::mail, 250, "2.1.5"));
  EXPECT_FALSE(fits(SmtpCommand::rset, 250, "2.1.5"));
  EXPECT_FALSE(fits(SmtpCommand::ehlo, 250, "2.1.0"));
  // Refusals carry whatever enhanced code the policy chose: no misfit from those.
  EXPECT_TRUE(fits(SmtpCommand::rcpt, 550, "5.1.0"));
}

TEST(ReplyTable, AMisfitNamesTheCodeAndTheCommand) {
  const auto misfit = reply_misfit(SmtpCommand::ehlo, reply(220));
  ASSERT_TRUE(misfit.has_value());
  EXPECT_EQ(*misfit, "220 is not a reply EHLO can get");
}

}  // namespace
}  // namespace relayaudit
