// The fingerprint of a script's definition, recorded with every scan that ran it.
#pragma once

#include <string>
#include <string_view>

namespace relayaudit {

// SHA-256 of the script's bytes as loaded (the user's file, or the embedded copy of a built-in),
// as 64 lowercase hex digits: an edited script shows a different hash in the results.
std::string script_digest(std::string_view definition);

}  // namespace relayaudit
