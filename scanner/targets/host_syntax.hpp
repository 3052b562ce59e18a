// Syntax checks for the parts of a target spec that are not addresses: host names and ports.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace relayaudit::targets_detail {

// What is wrong with a (lowercased, trailing-dot-stripped) host name, if anything.
std::optional<std::string> host_name_problem(std::string_view name);

// A port given as decimal digits, 1-65535; else what is wrong with it.
std::variant<std::uint16_t, std::string> parse_port(std::string_view text);

// True for text made only of digits and dots: meant as an IPv4 address even when it is not one.
bool looks_numeric_dotted(std::string_view text);

}  // namespace relayaudit::targets_detail
