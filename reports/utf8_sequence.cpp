// Decodes one well-formed UTF-8 sequence, or reports that the byte starts none.
#include "reports/utf8_sequence.hpp"

namespace relayaudit {
namespace {

bool in_range(unsigned char byte, unsigned char low, unsigned char high) {
  return byte >= low && byte <= high;
}

}  // namespace

Utf8Sequence decode_utf8(std::string_view text, std::size_t at) {
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(text[at + i]); };
  const unsigned char lead = byte(0);
  if (lead < 0x80) return {1, lead};
  std::size_t length = 0;
  // Bounding the second byte is what rules out overlong forms, surrogates and > U+10FFFF.
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
  if (text.size() - at < length) return {};
  if (!in_range(byte(1), second_low, second_high)) return {};
  char32_t code_point = lead & (0xff >> (length + 1));
  for (std::size_t i = 1; i < length; ++i) {
    if (i > 1 && !in_range(byte(i), 0x80, 0xbf)) return {};
    code_point = (code_point << 6) | (byte(i) & 0x3f);
  }
  return {length, code_point};
}

}  // namespace relayaudit
