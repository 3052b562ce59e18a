// Input errors on stderr, capped: a million bad target lines must not print a million lines.
#pragma once

#include <cstddef>
#include <ostream>
#include <string>
#include <vector>

namespace relayaudit {

inline constexpr std::size_t kMaxPrintedErrors = 100;

// Prints "relayaudit: <message>" (terminal-safe) for the first kMaxPrintedErrors messages, then
// one line counting the rest; `not_kept` counts errors that were only counted, never stored.
void print_error_list(std::ostream& out, const std::vector<std::string>& messages,
                      std::size_t not_kept = 0);

}  // namespace relayaudit
