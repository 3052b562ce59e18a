// Undoing escape_invalid_utf8 where, and only where, a document string is its output.
#include "reports/received_text.hpp"

#include <optional>

#include "reports/safe_text.hpp"

namespace relayaudit {
namespace {

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;  // escape_invalid_utf8 writes lowercase only
}

// Reads "\\" as a backslash and "\xNN" as a byte; nullopt for any other backslash.
std::optional<std::string> unescape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t at = 0; at < text.size(); ++at) {
    if (text[at] != '\\') {
      out += text[at];
      continue;
    }
    if (at + 1 < text.size() && text[at + 1] == '\\') {
      out += '\\';
      at += 1;
      continue;
    }
    if (at + 3 >= text.size() || text[at + 1] != 'x') return std::nullopt;
    const int high = hex_digit(text[at + 2]);
    const int low = hex_digit(text[at + 3]);
    if (high < 0 || low < 0) return std::nullopt;
    out += static_cast<char>(high * 16 + low);
    at += 3;
  }
  return out;
}

}  // namespace

std::string received_bytes(std::string_view document_text) {
  if (document_text.find('\\') == std::string_view::npos) return std::string(document_text);
  auto bytes = unescape(document_text);
  // Only the exact output of escape_invalid_utf8 for bytes that needed it is taken as escaped.
  bool changed = false;
  if (!bytes || escape_invalid_utf8(*bytes, &changed) != document_text || !changed) {
    return std::string(document_text);
  }
  return std::move(*bytes);
}

std::string received_line(const nlohmann::json& transcript_line) {
  // [t_ms, session, dir, line, escaped?] (results 2.0).
  if (!transcript_line.is_array() || transcript_line.size() < 4 ||
      !transcript_line[3].is_string()) {
    return "";
  }
  const std::string& text = transcript_line[3].get_ref<const std::string&>();
  const bool escaped = transcript_line.size() > 4 && transcript_line[4] == true;
  // Without the flag the writer changed nothing: the text is the bytes, backslashes and all.
  return escaped ? received_bytes(text) : text;
}

}  // namespace relayaudit
