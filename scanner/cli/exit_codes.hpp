// The documented exit codes of every relayaudit command.
#pragma once

namespace relayaudit {

inline constexpr int kExitClean = 0;         // every endpoint closed (or the command succeeded)
inline constexpr int kExitOpenRelay = 1;     // at least one endpoint relays
inline constexpr int kExitUsage = 2;         // bad arguments, targets, scripts or config
inline constexpr int kExitInconclusive = 3;  // unproven: inconclusive, unreachable or unresolved
inline constexpr int kExitRuntime = 4;       // could not write an output or start the lab

}  // namespace relayaudit
