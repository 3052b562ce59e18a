// Per-endpoint expansion of the {placeholders} in script templates.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace relayaudit {

struct PlaceholderValues {
  std::string ext_from;       // external sender address (--external-from)
  std::string ext_to;         // external recipient address (--external-to)
  std::string target_domain;  // the target's mail domain, else its host name
  std::string target_host;    // host name from DNS or the EHLO greeting's domain
  std::string target_ip;      // address literal: "[192.0.2.7]" or "[IPv6:2001:db8::25]"
  std::string scanner_ehlo;   // the scan's --ehlo-name
  std::string random;         // a random token, fresh per endpoint
};

// Names accepted inside braces, for validation ("ext_from", "ext_user", ...).
const std::vector<std::string_view>& placeholder_names();

// First unknown or unbalanced placeholder in `text`, if any, for error messages.
std::optional<std::string> find_bad_placeholder(std::string_view text);

// Replaces every {name}; derived names: ext_user/ext_domain (of ext_to), ext_from_user/
// ext_from_domain (of ext_from). Unknown names are left as written (validated at load time).
std::string expand_placeholders(std::string_view text, const PlaceholderValues& values);

}  // namespace relayaudit
