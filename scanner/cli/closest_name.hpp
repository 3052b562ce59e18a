// "Did you mean ...?": the known name nearest to a mistyped one.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace relayaudit {

// Edits (insert, delete, substitute, swap two neighbours) that turn `from` into `to`: a swap is
// one edit because "prot" for "port" is one slip of the fingers.
std::size_t typing_distance(std::string_view from, std::string_view to);

// The candidate nearest to `typed`, if it is near enough to be what was meant (at most 2 edits, or
// a third of the longer name); the first of equally near ones.
std::optional<std::string> closest_name(std::string_view typed,
                                        const std::vector<std::string>& candidates);

}  // namespace relayaudit
