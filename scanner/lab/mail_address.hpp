// Envelope paths of MAIL FROM and RCPT TO as the lab reads them: loose like Postfix, never
// crashing.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace relayaudit {

struct EnvelopePath {
  std::string address;  // without the angle brackets; empty for the null path "<>"
  std::string params;   // ESMTP parameters after the path ("SIZE=100"), accepted and ignored
};

// Parses what follows "FROM:" or "TO:": "<addr> PARAMS" or a bare address. Returns nullopt for
// an unbalanced '<', a space or control byte inside the path, or nothing at all.
std::optional<EnvelopePath> parse_envelope_path(std::string_view text);

struct MailboxParts {
  std::string local;          // everything before the last '@' (the whole address without one)
  std::string domain;         // after the last '@'; empty when there is none
  bool has_at = false;        // "user@" has an '@' and an empty domain, "user" has none
  bool source_route = false;  // "@hop1,@hop2:user@domain" (RFC 5321 4.1.2, deprecated)
};

// Splits at the LAST '@': "a@b@c" is local "a@b" at domain "c", as a relay would route it.
MailboxParts split_mailbox(std::string_view address);

// A local part that could route the message onward: user%host, host!user, "quoted@tricks".
bool has_routing_syntax(std::string_view local);

// The routing trick an address carries, as a relay that honours it would read it.
enum class RoutingForm {
  plain,           // "user", "user@domain": nothing to forward
  percent,         // user%dest@domain (the percent hack)
  bang,            // dest!user@domain (UUCP bang path)
  double_at,       // user@dest@domain, unquoted
  quoted_at,       // "user@dest"@domain
  quoted_percent,  // "user%dest"@domain
  source_route,    // @hop1,@hop2:user@dest (RFC 821)
  unusual,         // nested or malformed routing that no lab hole reads
};

struct RoutedAddress {
  RoutingForm form = RoutingForm::plain;
  // The part a server checks as its own: after the last '@' outside quotes, or the first hop
  // of a source route.
  std::string domain;
  bool has_at = false;      // false when there is no domain at all: user, "u@x", x!u
  std::string user;         // plain: the local part (dequoted); else the user at `destination`
  std::string destination;  // where the rewritten address goes; empty for plain and unusual
};

// Reads one level of routing; "u%a%b@x" and the like are unusual, not rewritten twice.
RoutedAddress parse_routed_address(std::string_view address);

bool iequals(std::string_view a, std::string_view b);
bool iends_with(std::string_view text, std::string_view suffix);
std::string to_lower(std::string_view text);
// Case-insensitive "starts with"; SMTP verbs and keywords are ASCII.
bool istarts_with(std::string_view text, std::string_view prefix);

}  // namespace relayaudit
