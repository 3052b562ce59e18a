// HTML escaping of untrusted text, with controls and invalid UTF-8 shown as visible escapes.
#include "reports/html_text.hpp"

#include <cstdio>

#include "reports/received_text.hpp"
#include "reports/utf8_sequence.hpp"

namespace relayaudit {
namespace {

// Characters a reader cannot see, or that change how the text around them is laid out.
bool invisible(char32_t cp) {
  if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f)) return true;
  if (cp == 0x061c || cp == 0x200e || cp == 0x200f || cp == 0x2028 || cp == 0x2029) return true;
  return (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

std::string visible_escape(char32_t value, bool is_byte) {
  char buffer[16];
  if (is_byte || value < 0x80) {
    std::snprintf(buffer, sizeof buffer, "\\x%02x", static_cast<unsigned>(value));
  } else {
    std::snprintf(buffer, sizeof buffer, "\\u%04x", static_cast<unsigned>(value));
  }
  return buffer;
}

std::string escape(std::string_view text, bool mark_escapes) {
  std::string out;
  out.reserve(text.size() + text.size() / 8 + 8);
  const auto add_escape = [&](char32_t value, bool is_byte) {
    if (mark_escapes) out += "<span class=\"esc\">";
    out += visible_escape(value, is_byte);
    if (mark_escapes) out += "</span>";
  };
  std::size_t at = 0;
  while (at < text.size()) {
    const Utf8Sequence sequence = decode_utf8(text, at);
    if (sequence.length == 0) {
      add_escape(static_cast<unsigned char>(text[at]), true);
      at += 1;
      continue;
    }
    const char32_t cp = sequence.code_point;
    switch (cp) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      case '\\':
        out += "\\\\";  // so "\x" on the page always starts an escape this report made
        break;
      default:
        if (invisible(cp)) {
          add_escape(cp, false);
        } else {
          out.append(text, at, sequence.length);
        }
    }
    at += sequence.length;
  }
  return out;
}

}  // namespace

std::string escape_html(std::string_view text) {
  return escape(received_bytes(text), false);
}

std::string html_text(std::string_view text) {
  return escape(received_bytes(text), true);
}

std::string html_text_of_bytes(std::string_view bytes) {
  return escape(bytes, true);
}

}  // namespace relayaudit
