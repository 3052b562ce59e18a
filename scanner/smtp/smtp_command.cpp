// One verb -> reply codes table (RFC 5321 §4.3.2), the way nmap's smtp library keeps one.
#include "smtp/smtp_command.hpp"

#include <algorithm>
#include <array>
#include <initializer_list>

namespace relayaudit {
namespace {

// Any command may get these: shutdown, and the syntax / not-implemented errors.
constexpr std::array<int, 5> kAnyCommand{421, 500, 501, 502, 504};

bool one_of(int code, std::initializer_list<int> codes) {
  return std::find(codes.begin(), codes.end(), code) != codes.end();
}

bool code_fits(SmtpCommand command, int code) {
  if (std::find(kAnyCommand.begin(), kAnyCommand.end(), code) != kAnyCommand.end()) return true;
  const bool refusal = code >= 400 && code <= 599;
  switch (command) {
    case SmtpCommand::banner:
      return code == 220 || refusal;  // 554 (RFC 5321 §3.1), 421, and other refusals
    case SmtpCommand::ehlo:
    case SmtpCommand::helo:
    case SmtpCommand::mail:
      return code == 250 || refusal;
    case SmtpCommand::rcpt:
      return one_of(code, {250, 251}) || refusal;
    case SmtpCommand::data:
      return code == 354 || refusal;
    case SmtpCommand::starttls:
      return code == 220 || refusal;  // RFC 3207 §4: 220, 454, 501
    case SmtpCommand::xclient:
      return code == 220 || refusal;  // a new greeting, or 501/503/550 (XCLIENT_README)
    case SmtpCommand::rset:
      // RFC 3207 §4: a server that requires TLS answers 530 to all but NOOP, EHLO, STARTTLS and
      // QUIT; Postfix with smtpd_tls_security_level = encrypt does so to RSET too.
      return code == 250 || code == 530;
    case SmtpCommand::quit:
      return code == 221;
  }
  return false;
}

// The enhanced codes MTAs reserve for one command (RFC 3463 §3.2: X.1.0 other address status,
// given to a valid sender; X.1.5 destination address valid). Seen on another command, they show
// a reply that belongs to a neighbour in the stream.
std::optional<std::string> enhanced_misfit(SmtpCommand command, const Reply& reply) {
  if (!reply.positive() || reply.enhanced.empty()) return std::nullopt;
  const bool sender_status = reply.enhanced == "2.1.0";
  const bool recipient_status = reply.enhanced == "2.1.5";
  const bool misplaced = (command == SmtpCommand::rcpt && sender_status) ||
                         (command == SmtpCommand::mail && recipient_status) ||
                         ((command == SmtpCommand::rset || command == SmtpCommand::quit ||
                           command == SmtpCommand::ehlo || command == SmtpCommand::helo) &&
                          (sender_status || recipient_status));
  if (!misplaced) return std::nullopt;
  return std::string(to_string(command)) + " answered with " + reply.enhanced + ", the status " +
         (sender_status ? "MTAs give MAIL FROM" : "MTAs give RCPT TO");
}

}  // namespace

std::string_view to_string(SmtpCommand command) {
  switch (command) {
    case SmtpCommand::banner:
      return "the banner";
    case SmtpCommand::ehlo:
      return "EHLO";
    case SmtpCommand::helo:
      return "HELO";
    case SmtpCommand::starttls:
      return "STARTTLS";
    case SmtpCommand::xclient:
      return "XCLIENT";
    case SmtpCommand::mail:
      return "MAIL FROM";
    case SmtpCommand::rcpt:
      return "RCPT TO";
    case SmtpCommand::data:
      return "DATA";
    case SmtpCommand::rset:
      return "RSET";
    case SmtpCommand::quit:
      return "QUIT";
  }
  return "a command";
}

std::optional<std::string> reply_misfit(SmtpCommand command, const Reply& reply) {
  if (!code_fits(command, reply.code)) {
    return std::to_string(reply.code) + " is not a reply " + std::string(to_string(command)) +
           " can get";
  }
  return enhanced_misfit(command, reply);
}

}  // namespace relayaudit
