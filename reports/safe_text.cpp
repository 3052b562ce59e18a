// UTF-8 validation and escaping for text that came from the network or the user.
#include "reports/safe_text.hpp"

#include <cstdint>

namespace relayaudit {
namespace {

struct Decoded {
  std::size_t length = 0;  // 0 when the sequence at this position is invalid
  char32_t code_point = 0;
};

bool in_range(unsigned char byte, unsigned char low, unsigned char high) {
  return byte >= low && byte <= high;
}

// Follows Unicode's table of well-formed byte sequences, which excludes overlong forms,
// surrogates and code points above U+10FFFF by bounding the second byte.
Decoded decode_one(std::string_view bytes, std::size_t at) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(bytes[at + i]); };
  const unsigned char lead = byte(0);
  if (lead < 0x80) return {1, lead};
  std::size_t length = 0;
  unsigned char second_low = 0x80;
  unsigned char second_high = 0xbf;
  if (in_range(lead, 0xc2, 0xdf)) {
    length = 2;
  } else if (in_range(lead, 0xe0, 0xef)) {
    length = 3;
    if (lead == 0xe0) second_low = 0xa0;   // overlong
    if (lead == 0xed) second_high = 0x9f;  // surrogates
  } else if (in_range(lead, 0xf0, 0xf4)) {
    length = 4;
    if (lead == 0xf0) second_low = 0x90;   // overlong
    if (lead == 0xf4) second_high = 0x8f;  // above U+10FFFF
  } else {
    return {};  // continuation byte, C0/C1 overlong lead, or F5..FF
  }
  if (bytes.size() - at < length) return {};
  if (!in_range(byte(1), second_low, second_high)) return {};
  char32_t code_point = lead & (0xff >> (length + 1));
  for (std::size_t i = 1; i < length; ++i) {
    if (i > 1 && !in_range(byte(i), 0x80, 0xbf)) return {};
    code_point = (code_point << 6) | (byte(i) & 0x3f);
  }
  return {length, code_point};
}

// Decides per sequence: copy it, or escape each of its `length` bytes (length 1 when invalid).
template <typename Visit>
void walk(std::string_view bytes, bool escape_controls, Visit&& visit) {
  std::size_t at = 0;
  while (at < bytes.size()) {
    const Decoded decoded = decode_one(bytes, at);
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

std::string escape(std::string_view bytes, bool escape_controls, bool* changed) {
  bool any = false;
  walk(bytes, escape_controls, [&](std::string_view, bool escape) { any = any || escape; });
  if (changed != nullptr) *changed = any;
  if (!any) return std::string(bytes);

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
  return escape(bytes, false, changed);
}

std::string terminal_safe(std::string_view bytes) {
  return escape(bytes, true, nullptr);
}

}  // namespace relayaudit
