// Reading UTF-8 one sequence at a time: the one decoder every text escaper in reports/ uses.
#pragma once

#include <cstddef>
#include <string_view>

namespace relayaudit {

struct Utf8Sequence {
  std::size_t length = 0;  // 0: the byte at this position starts no well-formed sequence
  char32_t code_point = 0;
};

// The sequence starting at `at` (< text.size()), following Unicode's table of well-formed byte
// sequences, which excludes overlong forms, surrogates and code points above U+10FFFF.
Utf8Sequence decode_utf8(std::string_view text, std::size_t at);

}  // namespace relayaudit
