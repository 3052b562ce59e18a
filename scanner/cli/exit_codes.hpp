// The documented exit codes of every relayaudit command.
#pragma once

namespace relayaudit {

inline constexpr int kExitClean = 0;         // no open relay found (or the command succeeded)
inline constexpr int kExitOpenRelay = 1;     // at least one endpoint relays
inline constexpr int kExitUsage = 2;         // bad arguments, targets, scripts or config
inline constexpr int kExitInconclusive = 3;  // inconclusive/unreachable with --fail-on inconclusive
inline constexpr int kExitRuntime = 4;       // could not write an output or start the lab

}  // namespace relayaudit
