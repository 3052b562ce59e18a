// Substring checks the report tests make on rendered text.
#pragma once

#include <cstddef>
#include <string>

namespace relayaudit::testing {

inline bool contains(const std::string& text, const std::string& needle) {
  return text.find(needle) != std::string::npos;
}

// Occurrences of `needle`, overlapping ones included.
inline std::size_t count_of(const std::string& text, const std::string& needle) {
  std::size_t count = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) {
    ++count;
  }
  return count;
}

}  // namespace relayaudit::testing
