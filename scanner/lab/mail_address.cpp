// Envelope path parsing and mailbox splitting for the lab's MAIL and RCPT handling.
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

}  // namespace

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

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                            [](char x, char y) { return lower(x) == lower(y); });
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
