// The --jsonl stream before a scan starts: refuse to mix two runs into one stream, and on
// --resume read back the finished endpoints and cut off a torn last line.
#pragma once

#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/scan_command.hpp"

namespace relayaudit {

// The endpoint lines to skip and carry into the results (empty without --resume), or the exit
// code after the reason was printed on stderr: kExitUsage for a stream that is not empty without
// --resume or --jsonl-overwrite, and for a resumed line that is not an endpoint relayaudit
// wrote; kExitRuntime when a torn line cannot be cut off.
std::variant<std::vector<nlohmann::json>, int> prepare_jsonl_stream(
    const ScanCommandOptions& options);

}  // namespace relayaudit
