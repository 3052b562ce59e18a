// CIDR targets: "network/prefix" parsing (bounded by kMaxCidrAddresses) for the target parser.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "targets/target.hpp"

namespace relayaudit::targets_detail {

// Fills `target` as a cidr target from the text either side of '/'; host bits are masked off.
// Returns what is wrong when the address, the prefix or the range size is not acceptable.
std::optional<std::string> fill_cidr(Target& target, std::string_view network,
                                     std::string_view prefix, bool ipv6);

}  // namespace relayaudit::targets_detail
