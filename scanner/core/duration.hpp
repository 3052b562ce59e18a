// Human durations on the command line ("250ms", "10s", "2m", "1h"; a bare number means seconds).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace relayaudit {

using Millis = std::chrono::milliseconds;

std::optional<Millis> parse_duration(std::string_view text);
std::string format_duration(Millis value);

}  // namespace relayaudit
