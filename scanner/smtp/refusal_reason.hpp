// Why a server refused a command: a closed set of reasons read from a 4xx/5xx reply's text and
// codes.
#pragma once

#include <string_view>

#include "smtp/reply.hpp"

namespace relayaudit {

enum class RefusalReason {
  none,           // not a refusal (2xx/3xx, or no reply)
  relay_denied,   // the relay check itself ("Relay access denied", "Relaying denied", ...)
  unknown_user,   // the mailbox does not exist ("User unknown", 5.1.1)
  policy,         // another policy rule (blocklists, access maps, restricted characters, 5.7.x)
  syntax,         // the address or command was malformed (5.1.3, 5.5.2, 5.5.4, 500/501)
  auth_required,  // authenticate first (530, "Authentication required")
  tls_required,   // STARTTLS first ("Must issue a STARTTLS command first")
  greylisted,     // a temporary refusal meant to be retried later
  rate_limited,   // too many errors, recipients or connections
  other
};

// Stable lowercase-hyphen name: "relay-denied", "unknown-user", ..., "none".
std::string_view to_string(RefusalReason reason);

// Classifies a 4xx/5xx reply; none for anything else. Known phrases (case-insensitive) win over
// codes, so a 530 "requires authentication when attempting to send to a non-local e-mail address"
// is relay-denied and a 5.7.1 "Relay access denied" is not just policy.
RefusalReason classify_refusal(const Reply& reply);

}  // namespace relayaudit
