// Refusal classification: a phrase table taken from real MTA replies, then RFC 3463 and basic
// codes.
#include "smtp/refusal_reason.hpp"

#include <algorithm>
#include <cctype>
#include <string>

namespace relayaudit {

namespace {

using enum RefusalReason;

struct Phrase {
  std::string_view text;  // lowercase
  RefusalReason reason;
  bool transient_only = false;  // a weak hint that only means "retry" on a 4xx
};

// First match wins, so the order is the priority: a relay refusal often also says "access
// denied" or "authentication", and rate limits and greylisting say "try again later".
constexpr Phrase kPhrases[] = {
    // Relay refusals (relay-variants §6; Sisimai NoRelaying).
    {"relay access denied", relay_denied},  // Postfix reject_unauth_destination
    {"relaying denied", relay_denied},      // Sendmail confRELAY_MSG
    {"relay denied", relay_denied},
    {"relay not permitted", relay_denied},  // Exim default configuration
    {"relaying not permitted", relay_denied},
    {"relaying not allowed", relay_denied},
    {"list of allowed rcpthosts", relay_denied},  // qmail
    {"unable to relay", relay_denied},            // Exchange
    {"not allowed to relay", relay_denied},
    {"not permitted to relay", relay_denied},
    {"not configured to relay", relay_denied},
    {"we do not relay", relay_denied},
    {"insecure mail relay", relay_denied},
    // MailEnable answers 530 to a relay attempt: the text, not the code, says what was refused.
    {"requires authentication when attempting to send to a non-local", relay_denied},
    // Session prerequisites.
    {"starttls", tls_required},  // "530 5.7.0 Must issue a STARTTLS command first"
    {"encryption required", tls_required},
    {"tls required", tls_required},
    {"authentication required", auth_required},  // RFC 4954 §6
    {"authentication is required", auth_required},
    {"not authenticated", auth_required},  // Exchange "530 5.7.1 Client was not authenticated"
    {"must authenticate", auth_required},
    {"auth first", auth_required},
    {"auth command first", auth_required},
    // Limits before greylisting: "421 Too many connections, try again later" is a limit.
    {"too many errors", rate_limited},  // Postfix smtpd_hard_error_limit
    {"too many recipients", rate_limited},
    {"too many bad recipients", rate_limited},  // Debian Exim RCPT ACL
    {"too many connections", rate_limited},
    {"too many messages", rate_limited},
    {"rate limit", rate_limited},
    {"ratelimit", rate_limited},
    {"greylist", greylisted},  // postgrey "Greylisted, see ..."; "greylisting in action"
    {"graylist", greylisted},
    // Unknown recipients.
    {"user unknown", unknown_user},  // Postfix "Recipient address rejected: User unknown in ..."
    {"unknown user", unknown_user},
    {"no such user", unknown_user},
    {"no such recipient", unknown_user},
    {"unknown recipient", unknown_user},
    {"recipient not found", unknown_user},  // Exchange RESOLVER.ADR.RecipientNotFound
    {"mailbox unavailable", unknown_user},  // RFC 5321's 550 text
    {"mailbox not found", unknown_user},
    // Other policy rules.
    {"restricted characters in address", policy},  // Debian Exim RCPT ACL
    {"administrative prohibition", policy},        // Exim's default deny text
    {"access denied", policy},                     // Postfix access maps
    {"blocked using", policy},                     // Postfix reject_rbl_client
    {"blocklist", policy},
    {"blacklist", policy},
    {"policy", policy},
    // Malformed addresses and commands.
    {"syntax", syntax},  // "501 5.1.3 Bad recipient address syntax", "Syntax: RCPT TO:<address>"
    {"malformed", syntax},
    // Weak retry hints, meaningful only on a transient reply.
    {"try again later", greylisted, true},
    {"try later", greylisted, true},
    {"come back later", greylisted, true},
};

std::string lowercase(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

// RFC 3463 subject.detail ("7.1" of "5.7.1"), the part that says what went wrong.
std::string_view subject_detail(std::string_view enhanced) {
  const auto dot = enhanced.find('.');
  return dot == std::string_view::npos ? std::string_view() : enhanced.substr(dot + 1);
}

RefusalReason from_enhanced_code(std::string_view enhanced) {
  const auto code = subject_detail(enhanced);
  if (code.empty()) return none;
  if (code == "1.1") return unknown_user;  // bad destination mailbox address
  // Bad destination / sender mailbox syntax, syntax error, invalid command arguments.
  if (code == "1.3" || code == "1.7" || code == "5.2" || code == "5.4") return syntax;
  if (code == "5.3") return rate_limited;                     // too many recipients
  if (code == "7.10" || code == "7.11") return tls_required;  // encryption needed / required
  if (code.starts_with("7.")) return policy;                  // security or policy status
  return none;
}

}  // namespace

std::string_view to_string(RefusalReason reason) {
  switch (reason) {
    case none:
      return "none";
    case relay_denied:
      return "relay-denied";
    case unknown_user:
      return "unknown-user";
    case policy:
      return "policy";
    case syntax:
      return "syntax";
    case auth_required:
      return "auth-required";
    case tls_required:
      return "tls-required";
    case greylisted:
      return "greylisted";
    case rate_limited:
      return "rate-limited";
    case other:
      return "other";
  }
  return "other";
}

RefusalReason classify_refusal(const Reply& reply) {
  if (reply.klass() != 4 && reply.klass() != 5) return none;
  const auto text = lowercase(reply.text());
  for (const auto& phrase : kPhrases) {
    if (phrase.transient_only && !reply.transient()) continue;
    if (text.find(phrase.text) != std::string::npos) return phrase.reason;
  }
  // RFC 4954 §6: "530 5.7.0 Authentication required"; STARTTLS texts were matched above.
  if (reply.code == 530) return auth_required;
  if (const auto reason = from_enhanced_code(reply.enhanced); reason != none) return reason;
  // RFC 5321 §4.2.2: 500/501 syntax errors, 555 parameters not recognized.
  if (reply.code == 500 || reply.code == 501 || reply.code == 555) return syntax;
  return other;
}

}  // namespace relayaudit
