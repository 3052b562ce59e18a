// The tool version written into every results document.
#pragma once

namespace relayaudit {

inline constexpr const char* kToolVersion = "0.1.0";

}  // namespace relayaudit
