// Envelope paths, mailbox splitting and routing forms for the lab's MAIL and RCPT handling.
#include "lab/mail_address.hpp"

#include <algorithm>

namespace relayaudit {

namespace {

char lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool is_control(char c) {
  auto byte = static_cast<unsigned char>(c);
  return byte < 0x20 || byte == 0x7f;
}

// Finds the '>' that closes a path opened at text[0], skipping quoted strings so that
// <"a>b"@x> keeps its local part whole.
std::optional<std::size_t> closing_bracket(std::string_view text) {
  bool quoted = false;
  for (std::size_t i = 1; i < text.size(); ++i) {
    char c = text[i];
    if (quoted && c == '\\') {
      ++i;  // quoted-pair: the next byte is literal
    } else if (c == '"') {
      quoted = !quoted;
    } else if (!quoted && c == '>') {
      return i;
    }
  }
  return std::nullopt;
}

bool plausible_path(std::string_view address) {
  bool quoted = false;
  for (char c : address) {
    if (is_control(c)) return false;
    if (c == '"') quoted = !quoted;
    if (!quoted && (c == ' ' || c == '<' || c == '>')) return false;
  }
  return !quoted;
}

// Index of the last '@' outside a quoted string; npos if there is none.
std::size_t last_unquoted_at(std::string_view text) {
  std::size_t found = std::string_view::npos;
  bool quoted = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quoted && c == '\\') {
      ++i;
    } else if (c == '"') {
      quoted = !quoted;
    } else if (!quoted && c == '@') {
      found = i;
    }
  }
  return found;
}

// First `wanted` outside a domain literal: "[IPv6:::1]" holds colons that end nothing.
std::size_t find_outside_brackets(std::string_view text, char wanted) {
  bool literal = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '[') {
      literal = true;
    } else if (text[i] == ']') {
      literal = false;
    } else if (!literal && text[i] == wanted) {
      return i;
    }
  }
  return std::string_view::npos;
}

// The content of a local part that is one whole quoted string, quoted-pairs resolved.
std::optional<std::string> quoted_content(std::string_view local) {
  if (local.size() < 2 || local.front() != '"') return std::nullopt;
  std::string content;
  for (std::size_t i = 1; i < local.size(); ++i) {
    char c = local[i];
    if (c == '"') {
      if (i + 1 != local.size()) return std::nullopt;
      return content;
    }
    if (c == '\\' && i + 1 < local.size()) c = local[++i];
    content.push_back(c);
  }
  return std::nullopt;
}

bool has_routing_chars(std::string_view text) {
  return text.find_first_of("%!@\"") != std::string_view::npos;
}

// Sets the user and destination of a one-level route, or marks it unusual.
void set_route(RoutedAddress& address, RoutingForm form, std::string_view user,
               std::string_view destination) {
  if (user.empty() || destination.empty() || has_routing_chars(user) ||
      has_routing_chars(destination)) {
    address.form = RoutingForm::unusual;
    return;
  }
  address.form = form;
  address.user = std::string(user);
  address.destination = std::string(destination);
}

void read_local_part(RoutedAddress& address, std::string_view local) {
  if (auto content = quoted_content(local)) {
    std::string_view inner = *content;
    if (auto at = inner.rfind('@'); at != std::string_view::npos) {
      set_route(address, RoutingForm::quoted_at, inner.substr(0, at), inner.substr(at + 1));
    } else if (auto percent = inner.rfind('%'); percent != std::string_view::npos) {
      set_route(address, RoutingForm::quoted_percent, inner.substr(0, percent),
                inner.substr(percent + 1));
    } else if (has_routing_chars(inner)) {
      address.form = RoutingForm::unusual;
    } else {
      address.user = *content;
    }
    return;
  }
  if (local.find('"') != std::string_view::npos) {
    address.form = RoutingForm::unusual;
  } else if (auto at = local.rfind('@'); at != std::string_view::npos) {
    set_route(address, RoutingForm::double_at, local.substr(0, at), local.substr(at + 1));
  } else if (auto percent = local.rfind('%'); percent != std::string_view::npos) {
    set_route(address, RoutingForm::percent, local.substr(0, percent), local.substr(percent + 1));
  } else if (auto bang = local.find('!'); bang != std::string_view::npos) {
    set_route(address, RoutingForm::bang, local.substr(bang + 1), local.substr(0, bang));
  } else {
    address.user = std::string(local);
  }
}

}  // namespace

RoutedAddress parse_routed_address(std::string_view address) {
  RoutedAddress routed;
  if (!address.empty() && address.front() == '@') {
    routed.has_at = true;
    auto colon = find_outside_brackets(address, ':');
    if (colon == std::string_view::npos) {
      routed.form = RoutingForm::unusual;
      return routed;
    }
    std::string_view route = address.substr(1, colon - 1);
    routed.domain = std::string(route.substr(0, find_outside_brackets(route, ',')));
    std::string_view mailbox = address.substr(colon + 1);
    auto at = mailbox.find('@');
    if (at == std::string_view::npos || mailbox.find('@', at + 1) != std::string_view::npos) {
      routed.form = RoutingForm::unusual;
      return routed;
    }
    set_route(routed, RoutingForm::source_route, mailbox.substr(0, at), mailbox.substr(at + 1));
    return routed;
  }
  auto at = last_unquoted_at(address);
  if (at != std::string_view::npos) {
    routed.has_at = true;
    routed.domain = std::string(address.substr(at + 1));
  }
  read_local_part(routed, address.substr(0, at));
  return routed;
}

std::optional<EnvelopePath> parse_envelope_path(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);  // "FROM: <a>" is common
  if (text.empty()) return std::nullopt;
  EnvelopePath path;
  std::string_view rest;
  if (text.front() == '<') {
    auto close = closing_bracket(text);
    if (!close) return std::nullopt;
    path.address = std::string(text.substr(1, *close - 1));
    rest = text.substr(*close + 1);
    if (!rest.empty() && rest.front() != ' ') return std::nullopt;
  } else {
    auto space = std::min(text.find(' '), text.size());
    path.address = std::string(text.substr(0, space));
    rest = text.substr(space);
  }
  if (!plausible_path(path.address)) return std::nullopt;
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  path.params = std::string(rest);
  return path;
}

MailboxParts split_mailbox(std::string_view address) {
  MailboxParts parts;
  parts.source_route = !address.empty() && address.front() == '@';
  auto at = address.rfind('@');
  if (at == std::string_view::npos) {
    parts.local = std::string(address);
    return parts;
  }
  parts.has_at = true;
  parts.local = std::string(address.substr(0, at));
  parts.domain = std::string(address.substr(at + 1));
  return parts;
}

bool has_routing_syntax(std::string_view local) {
  return local.find_first_of("%!@\"") != std::string_view::npos;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                            [](char x, char y) { return lower(x) == lower(y); });
}

bool iends_with(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && iequals(text.substr(text.size() - suffix.size()), suffix);
}

std::string to_lower(std::string_view text) {
  std::string result(text);
  std::transform(result.begin(), result.end(), result.begin(), lower);
  return result;
}

bool istarts_with(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() && iequals(text.substr(0, prefix.size()), prefix);
}

}  // namespace relayaudit
