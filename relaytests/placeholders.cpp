// Placeholder names, their validation at load time and their expansion per endpoint.
#include "relaytests/placeholders.hpp"

namespace relayaudit {

namespace {

constexpr auto npos = std::string_view::npos;

// The two sides of an address's last '@', so "a@b"@c splits as the server would route it.
struct AddressParts {
  std::string_view user;
  std::string_view domain;
};

AddressParts split_address(std::string_view address) {
  const auto at = address.rfind('@');
  if (at == npos) return {address, {}};
  return {address.substr(0, at), address.substr(at + 1)};
}

using Getter = std::string (*)(const PlaceholderValues&);

struct Placeholder {
  std::string_view name;
  Getter value;
};

// One table for both validation and expansion, so the two can never disagree.
const Placeholder kPlaceholders[] = {
    {"ext_from", [](const PlaceholderValues& v) { return v.ext_from; }},
    {"ext_from_user",
     [](const PlaceholderValues& v) { return std::string(split_address(v.ext_from).user); }},
    {"ext_from_domain",
     [](const PlaceholderValues& v) { return std::string(split_address(v.ext_from).domain); }},
    {"ext_to", [](const PlaceholderValues& v) { return v.ext_to; }},
    {"ext_user",
     [](const PlaceholderValues& v) { return std::string(split_address(v.ext_to).user); }},
    {"ext_domain",
     [](const PlaceholderValues& v) { return std::string(split_address(v.ext_to).domain); }},
    {"target_domain", [](const PlaceholderValues& v) { return v.target_domain; }},
    {"target_host", [](const PlaceholderValues& v) { return v.target_host; }},
    {"target_sender_domain", [](const PlaceholderValues& v) { return v.target_sender_domain; }},
    {"target_ip", [](const PlaceholderValues& v) { return v.target_ip; }},
    {"scanner_ehlo", [](const PlaceholderValues& v) { return v.scanner_ehlo; }},
    {"random", [](const PlaceholderValues& v) { return v.random; }},
};

const Placeholder* find_placeholder(std::string_view name) {
  for (const auto& placeholder : kPlaceholders) {
    if (placeholder.name == name) return &placeholder;
  }
  return nullptr;
}

std::string known_names() {
  std::string list;
  for (const auto& placeholder : kPlaceholders) {
    if (!list.empty()) list += ", ";
    list += "{" + std::string(placeholder.name) + "}";
  }
  return list;
}

}  // namespace

std::string forged_sender_domain(std::string_view mail_domain, std::string_view host_name) {
  if (!mail_domain.empty()) return std::string(mail_domain);
  if (host_name.ends_with('.')) host_name.remove_suffix(1);  // "mx.example.test." is absolute
  // An address literal or a bare IPv4 address has no parent domain (no top-level label is
  // all digits).
  const auto last_dot = host_name.rfind('.');
  const auto top_label = host_name.substr(last_dot == npos ? 0 : last_dot + 1);
  const bool numeric = !top_label.empty() && top_label.find_first_not_of("0123456789") == npos;
  if (host_name.starts_with('[') || numeric) return std::string(host_name);
  const auto first_dot = host_name.find('.');
  if (first_dot == npos) return std::string(host_name);
  const auto parent = host_name.substr(first_dot + 1);
  // "example.test" is still a mail domain; "test" alone is a top-level domain, never a sender's.
  if (parent.starts_with('.') || parent.find('.') == npos) return std::string(host_name);
  return std::string(parent);
}

const std::vector<std::string_view>& placeholder_names() {
  static const std::vector<std::string_view> names = [] {
    std::vector<std::string_view> result;
    for (const auto& placeholder : kPlaceholders) result.push_back(placeholder.name);
    return result;
  }();
  return names;
}

std::optional<std::string> find_bad_placeholder(std::string_view text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '}') return "unbalanced '}' at offset " + std::to_string(i);
    if (text[i] != '{') continue;
    const auto close = text.find('}', i + 1);
    const auto next_open = text.find('{', i + 1);
    if (close == npos || next_open < close) {
      return "unbalanced '{' at offset " + std::to_string(i);
    }
    const auto name = text.substr(i + 1, close - i - 1);
    if (!find_placeholder(name)) {
      return "unknown placeholder {" + std::string(name) + "} (known: " + known_names() + ")";
    }
    i = close;
  }
  return std::nullopt;
}

std::string expand_placeholders(std::string_view text, const PlaceholderValues& values) {
  std::string result;
  result.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    const auto open = text.find('{', i);
    const auto close = open == npos ? npos : text.find('}', open + 1);
    if (close == npos) break;
    result.append(text.substr(i, open - i));
    // Values are inserted once and never rescanned: a value containing braces stays literal.
    if (const auto* placeholder = find_placeholder(text.substr(open + 1, close - open - 1))) {
      result += placeholder->value(values);
      i = close + 1;
    } else {
      result += '{';  // not a placeholder: keep the brace and look again after it
      i = open + 1;
    }
  }
  result.append(text.substr(i));
  return result;
}

}  // namespace relayaudit
