// Host-name and port syntax (RFC 1123 labels; underscores refused because MX hosts cannot have
// them).
#include "targets/host_syntax.hpp"

#include <cstdio>

namespace relayaudit::targets_detail {

namespace {

constexpr std::size_t kMaxHostName = 253;
constexpr std::size_t kMaxLabel = 63;

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_label_char(char c) {
  return (c >= 'a' && c <= 'z') || is_digit(c) || c == '-';
}

std::string describe_char(char c) {
  const auto byte = static_cast<unsigned char>(c);
  if (byte >= 0x21 && byte < 0x7f) return std::string("'") + c + "'";
  char hex[8];
  std::snprintf(hex, sizeof hex, "0x%02x", byte);
  return hex;
}

std::optional<std::string> label_problem(std::string_view label) {
  if (label.empty()) return "empty label in host name";
  if (label.size() > kMaxLabel) {
    return "label '" + std::string(label.substr(0, 16)) + "...' is longer than 63 characters";
  }
  for (char c : label) {
    if (c == '_') return "'_' is not allowed in host names";
    if (!is_label_char(c)) return "character " + describe_char(c) + " is not allowed in host names";
  }
  if (label.front() == '-' || label.back() == '-') {
    return "label '" + std::string(label) + "' starts or ends with a hyphen";
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> host_name_problem(std::string_view name) {
  if (name.empty()) return "missing host name";
  if (name.size() > kMaxHostName) return "host name is longer than 253 characters";
  std::size_t start = 0;
  while (true) {
    const std::size_t dot = name.find('.', start);
    const std::string_view label =
        name.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (auto problem = label_problem(label)) return problem;
    if (dot == std::string_view::npos) return std::nullopt;
    start = dot + 1;
  }
}

std::variant<std::uint16_t, std::string> parse_port(std::string_view text) {
  if (text.empty()) return std::string("missing port after ':'");
  unsigned long value = 0;
  for (char c : text) {
    if (!is_digit(c)) return "port '" + std::string(text) + "' is not a number";
    // Saturate instead of overflowing on absurdly long digit strings.
    if (value <= 65535) value = value * 10 + static_cast<unsigned long>(c - '0');
  }
  if (value < 1 || value > 65535) return std::string("port out of range (1-65535)");
  return static_cast<std::uint16_t>(value);
}

bool looks_numeric_dotted(std::string_view text) {
  bool any_digit = false;
  for (char c : text) {
    if (is_digit(c)) {
      any_digit = true;
    } else if (c != '.') {
      return false;
    }
  }
  return any_digit;
}

}  // namespace relayaudit::targets_detail
