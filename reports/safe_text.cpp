// UTF-8 validation and escaping for text that came from the network or the user.
#include "reports/safe_text.hpp"

#include "reports/utf8_sequence.hpp"

namespace relayaudit {
namespace {

// Decides per sequence: copy it, or escape each of its `length` bytes (length 1 when invalid).
template <typename Visit>
void walk(std::string_view bytes, bool escape_controls, Visit&& visit) {
  std::size_t at = 0;
  while (at < bytes.size()) {
    const Utf8Sequence decoded = decode_utf8(bytes, at);
    if (decoded.length == 0) {
      visit(bytes.substr(at, 1), true);
      at += 1;
      continue;
    }
    const bool escape = escape_controls && acts_on_terminal(decoded.code_point);
    visit(bytes.substr(at, decoded.length), escape);
    at += decoded.length;
  }
}

// `always_double_backslashes`: a display, where "\x1b" must never pass for an escaped ESC even
// in a line with nothing else escaped; the document doubles them only where it escaped a byte.
std::string escape(std::string_view bytes, bool escape_controls, bool always_double_backslashes,
                   bool* changed) {
  bool any = false;
  walk(bytes, escape_controls, [&](std::string_view, bool escape) { any = any || escape; });
  if (changed != nullptr) *changed = any;
  if (!any && !(always_double_backslashes && bytes.find('\\') != std::string_view::npos)) {
    return std::string(bytes);
  }

  std::string out;
  out.reserve(bytes.size() + bytes.size() / 4 + 8);
  walk(bytes, escape_controls, [&](std::string_view sequence, bool escape) {
    if (escape) {
      for (char byte : sequence) append_hex_escape(out, static_cast<unsigned char>(byte));
    } else if (sequence == "\\") {
      out += "\\\\";  // so a literal "\x41" in the input cannot pass for an escaped byte
    } else {
      out += sequence;
    }
  });
  return out;
}

}  // namespace

// Code points a terminal interprets instead of printing, or that reorder what is printed.
bool acts_on_terminal(char32_t cp) {
  if (cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp <= 0x9f)) return true;
  if (cp == 0x061c || cp == 0x200e || cp == 0x200f) return true;
  return (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

void append_hex_escape(std::string& out, unsigned char byte) {
  static constexpr char kDigits[] = "0123456789abcdef";
  out += "\\x";
  out += kDigits[byte >> 4];
  out += kDigits[byte & 0x0f];
}

std::string escape_invalid_utf8(std::string_view bytes, bool* changed) {
  return escape(bytes, false, false, changed);
}

std::string terminal_safe(std::string_view bytes) {
  return escape(bytes, true, true, nullptr);
}

}  // namespace relayaudit
