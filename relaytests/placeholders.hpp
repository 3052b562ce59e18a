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
  // The domain a forged local sender would use: the mail domain when known from DNS, else the
  // host name's parent domain when that parent still has at least two labels, else the host name.
  std::string target_sender_domain;
  std::string target_ip;     // address literal: "[192.0.2.7]" or "[IPv6:2001:db8::25]"
  std::string scanner_ehlo;  // the scan's --ehlo-name
  std::string random;        // a random token, fresh per endpoint
};

// The value of {target_sender_domain}: `mail_domain` when known, else the parent domain of
// `host_name` when that parent still has two or more labels ("mx1.example.test" -> "example.test"),
// else `host_name` itself ("mail.example", "localhost", an address literal).
std::string forged_sender_domain(std::string_view mail_domain, std::string_view host_name);

// Names accepted inside braces, for validation ("ext_from", "ext_user", ...).
const std::vector<std::string_view>& placeholder_names();

// First unknown or unbalanced placeholder in `text`, if any, for error messages.
std::optional<std::string> find_bad_placeholder(std::string_view text);

// Replaces every {name}; derived names: ext_user/ext_domain (of ext_to), ext_from_user/
// ext_from_domain (of ext_from). Unknown names are left as written (validated at load time).
std::string expand_placeholders(std::string_view text, const PlaceholderValues& values);

}  // namespace relayaudit
