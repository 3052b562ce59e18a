// classify_refusal on real refusal texts from Postfix, Sendmail, Exim, qmail, Exchange and others.
#include "smtp/refusal_reason.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "smtp/reply_parser.hpp"

namespace relayaudit {
namespace {

// Parses `lines` (without CRLF) as the server sent them, so the enhanced code is read the same way
// the session reads it.
Reply reply_of(const std::vector<std::string>& lines) {
  std::string bytes;
  for (const auto& line : lines) bytes += line + "\r\n";
  ReplyParser parser;
  std::vector<Reply> replies;
  EXPECT_TRUE(parser.feed(bytes, replies)) << parser.error_message();
  EXPECT_EQ(replies.size(), 1u) << bytes;
  return replies.empty() ? Reply{} : replies.front();
}

struct Case {
  const char* line;
  RefusalReason expected;
};

using enum RefusalReason;

void expect_cases(const std::vector<Case>& cases) {
  for (const auto& [line, expected] : cases) {
    const auto got = classify_refusal(reply_of({line}));
    EXPECT_EQ(to_string(got), to_string(expected)) << line;
  }
}

TEST(ClassifyRefusal, RelayRefusalsOfEveryMta) {
  expect_cases({
      // Postfix reject_unauth_destination, and defer_unauth_destination's 4xx form.
      {"554 5.7.1 <relaytest@external.example.test>: Relay access denied", relay_denied},
      {"454 4.7.1 <relaytest@external.example.test>: Relay access denied", relay_denied},
      // Sendmail confRELAY_MSG, plain and with the authentication hint.
      {"550 5.7.1 <relaytest@external.example.test>... Relaying denied", relay_denied},
      {"550 5.7.1 <relaytest@external.example.test>... Relaying denied. Proper authentication "
       "required.",
       relay_denied},
      // Exim's default configuration.
      {"550 relay not permitted", relay_denied},
      // qmail: no enhanced code where the parser looks for it, only "(#5.7.1)" at the end.
      {"553 sorry, that domain isn't in my list of allowed rcpthosts (#5.7.1)", relay_denied},
      // Exchange.
      {"550 5.7.1 Unable to relay", relay_denied},
      {"550 5.7.54 SMTP; Unable to relay recipient in non-accepted domain", relay_denied},
      // Further texts of Sisimai's NoRelaying catalogue.
      {"550 5.7.1 Unable to relay for relaytest@external.example.test", relay_denied},
      {"550 5.7.1 relaytest@external.example.test is not allowed to relay through this machine",
       relay_denied},
      {"554 This system is not configured to relay mail from <antispam@sender.example.test> to "
       "<relaytest@external.example.test> for 192.0.2.9",
       relay_denied},
      {"550 Insecure Mail Relay", relay_denied},
      // MailEnable refuses relaying with 530: the text wins over the code.
      {"530 This server requires authentication when attempting to send to a non-local e-mail "
       "address. Please check your mail client settings or contact your administrator to verify "
       "that the domain or address is defined for this server.",
       relay_denied},
      // The refusal a sender-based check gives (relay-variants §5b.7).
      {"553 5.7.1 <antispam@example.test>: Sender address rejected: User not allowed to relay via "
       "this host",
       relay_denied},
      // nmap's lab refusal (relay-variants §4.1), and case does not matter.
      {"550 5.7.1 Relay denied (ref 75301)", relay_denied},
      {"554 5.7.1 <X@Y>: RELAY ACCESS DENIED", relay_denied},
  });
}

TEST(ClassifyRefusal, UnknownUsers) {
  expect_cases({
      {"550 5.1.1 <nobody@example.test>: Recipient address rejected: User unknown in local "
       "recipient table",
       unknown_user},
      {"550 5.1.1 <nobody@example.test>: Recipient address rejected: User unknown in virtual "
       "mailbox table",
       unknown_user},
      {"550 5.1.1 <nobody@example.test>... User unknown", unknown_user},  // Sendmail
      {"550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup",
       unknown_user},                                                         // Exchange
      {"550 no such user here", unknown_user},                                // qmail-ldap style
      {"550 Requested action not taken: mailbox unavailable", unknown_user},  // RFC 5321 text
      {"550 5.1.1 <nobody@example.test>: bad destination mailbox", unknown_user},  // code only
      // Postfix reject_unverified_recipient while the probe is pending.
      {"450 4.1.1 <nobody@example.test>: Recipient address rejected: unverified address: host "
       "mx.example.test said: 550 5.1.1 mailbox does not exist",
       unknown_user},
  });
}

TEST(ClassifyRefusal, PolicyRefusals) {
  expect_cases({
      {"550 restricted characters in address", policy},  // Debian Exim RCPT ACL
      {"550 Administrative prohibition", policy},        // Exim
      {"554 5.7.1 Service unavailable; Client host [192.0.2.9] blocked using zen.spamhaus.org; "
       "https://www.spamhaus.org/query/ip/192.0.2.9",
       policy},
      {"550 5.7.1 <relaytest@example.test>: Recipient address rejected: Access denied", policy},
      {"554 5.7.1 <localhost>: Helo command rejected: Access denied", policy},
      {"553 5.7.1 <antispam@example.test>: Sender address rejected: not logged in", policy},
      // 5.7.1 without any known phrase is still a policy refusal.
      {"550 5.7.1 Message refused", policy},
      {"450 4.7.1 Client host rejected: cannot find your hostname, [192.0.2.9]", policy},
      {"450 4.7.25 Client host rejected: cannot find your hostname, [192.0.2.9]", policy},
  });
}

TEST(ClassifyRefusal, SyntaxErrors) {
  expect_cases({
      {"501 5.1.3 Bad recipient address syntax", syntax},  // Postfix
      {"501 5.5.4 Syntax: RCPT TO:<address>", syntax},
      {"500 5.5.2 Error: bad syntax", syntax},
      // Postfix reject_non_fqdn_recipient: a policy in fact, but coded as a syntax problem.
      {"504 5.5.2 <relaytest>: Recipient address rejected: need fully-qualified address", syntax},
      {"553 5.5.4 <antispam>... Domain name required for sender address antispam",
       syntax},                                                           // Sendmail
      {"501 <a@b@c>: malformed address: @c may not follow a@b", syntax},  // Exim
      {"553 5.1.3 <\"a@b\"@c>... Bad recipient address", syntax},         // code only
      {"501 Invalid arguments", syntax},                                  // basic code only
  });
}

TEST(ClassifyRefusal, SessionPrerequisites) {
  expect_cases({
      {"530 5.7.0 Must issue a STARTTLS command first", tls_required},  // Postfix
      {"530 Must issue a STARTTLS command first", tls_required},        // hMailServer
      {"538 5.7.11 Encryption required for requested authentication mechanism", tls_required},
      {"530 5.7.0 Authentication required", auth_required},  // RFC 4954 §6
      {"530 SMTP authentication is required.", auth_required},
      {"530 5.7.1 Client was not authenticated", auth_required},  // Exchange
      {"530 5.7.57 SMTP; Client was not authenticated to send anonymous mail during MAIL FROM",
       auth_required},
      {"530 issue AUTH first", auth_required},  // OpenSMTPD
      // A 530 without a known phrase still means "authenticate first" (RFC 4954 §6).
      {"530 5.7.0 Please log in before sending mail", auth_required},
  });
}

TEST(ClassifyRefusal, TemporaryRefusals) {
  expect_cases({
      // postgrey behind Postfix (relay-variants §5b.1).
      {"450 4.2.0 <relaytest@example.test>: Recipient address rejected: Greylisted, see "
       "http://postgrey.schweikert.ch/help/example.test.html",
       greylisted},
      {"451 4.7.1 Greylisting in action, please come back later", greylisted},  // milter-greylist
      {"450 4.7.1 Please try again later", greylisted},
      {"421 4.7.0 mx.example.test Error: too many errors", rate_limited},  // Postfix
      {"452 4.5.3 Error: too many recipients", rate_limited},
      {"550 Rejected for too many bad recipients", rate_limited},  // Debian Exim
      {"421 Too many connections from your host, try again later", rate_limited},
      {"452 4.5.3 Recipient limit reached", rate_limited},  // code only
      // A "retry" hint on a permanent refusal does not make it greylisting.
      {"550 Please try again later", other},
  });
}

TEST(ClassifyRefusal, OtherRefusals) {
  expect_cases({
      {"450 4.1.2 <relaytest@nowhere.invalid>: Recipient address rejected: Domain not found",
       other},
      {"553 5.1.8 <antispam@nowhere.invalid>... Domain of sender address antispam@nowhere.invalid "
       "does not exist",
       other},
      {"550 Unrouteable address", other},  // Exim
      {"421 4.3.2 Service not available", other},
      {"554 5.5.1 Error: no valid recipients", other},
  });
}

TEST(ClassifyRefusal, NonRefusalsAreNone) {
  for (const char* line : {"250 2.1.5 Ok", "251 2.1.5 User not local; will forward",
                           "354 End data with <CR><LF>.<CR><LF>", "221 2.0.0 Bye",
                           "220 mx.example.test ESMTP relay access denied"}) {
    EXPECT_EQ(classify_refusal(reply_of({line})), none) << line;
  }
  EXPECT_EQ(classify_refusal(Reply{}), none);  // no reply at all
}

TEST(ClassifyRefusal, PhraseOnAContinuationLine) {
  const auto reply = reply_of({"550-5.7.1 This mail server does not accept mail for",
                               "550-5.7.1 domains it does not host. Relay access denied.",
                               "550 5.7.1 See https://example.test/relay"});
  EXPECT_EQ(classify_refusal(reply), relay_denied);
}

TEST(RefusalReason, NamesAreStableAndDistinct) {
  const std::pair<RefusalReason, const char*> names[] = {
      {none, "none"},
      {relay_denied, "relay-denied"},
      {unknown_user, "unknown-user"},
      {policy, "policy"},
      {syntax, "syntax"},
      {auth_required, "auth-required"},
      {tls_required, "tls-required"},
      {greylisted, "greylisted"},
      {rate_limited, "rate-limited"},
      {other, "other"},
  };
  std::set<std::string_view> seen;
  for (const auto& [reason, name] : names) {
    EXPECT_EQ(to_string(reason), name);
    EXPECT_TRUE(seen.insert(to_string(reason)).second) << name;
  }
}

}  // namespace
}  // namespace relayaudit
