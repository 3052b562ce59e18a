// Parsing and printing of durations.
#include "core/duration.hpp"

#include <charconv>
#include <cstdint>

namespace relayaudit {

std::optional<Millis> parse_duration(std::string_view text) {
  std::uint64_t number = 0;
  const char* end = text.data() + text.size();
  auto [rest, ec] = std::from_chars(text.data(), end, number);
  if (ec != std::errc{} || rest == text.data()) return std::nullopt;
  const std::string_view unit(rest, static_cast<std::size_t>(end - rest));
  std::uint64_t scale = 0;
  if (unit.empty() || unit == "s")
    scale = 1000;
  else if (unit == "ms")
    scale = 1;
  else if (unit == "m" || unit == "min")
    scale = 60'000;
  else if (unit == "h")
    scale = 3'600'000;
  else
    return std::nullopt;
  // Caps at a week so a typo cannot overflow the timer arithmetic.
  if (number > 7ULL * 24 * 3'600'000 / scale) return std::nullopt;
  return Millis(static_cast<Millis::rep>(number * scale));
}

std::string format_duration(Millis value) {
  const auto ms = value.count();
  if (ms % 1000 != 0) return std::to_string(ms) + "ms";
  return std::to_string(ms / 1000) + "s";
}

}  // namespace relayaudit
