// The --jsonl stream before a scan starts: refuse to mix two runs into one stream, and on
// --resume check the finished endpoints and cut off a torn last line.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/scan_command.hpp"
#include "reports/finished_endpoints.hpp"

namespace relayaudit {

// The endpoints of the --resume stream, each as {"endpoint": key} only (empty without
// --resume): the stream is read line by line and not kept, since it may hold thousands of
// endpoints; resume_finished_endpoints reads the lines again when the scan starts. Or the exit
// code after the reason was printed on stderr: kExitUsage for a stream that is not empty without
// --resume or --jsonl-overwrite, and for a resumed line that is not an endpoint relayaudit wrote;
// kExitRuntime when a torn line cannot be cut off.
std::variant<std::vector<nlohmann::json>, int> prepare_jsonl_stream(
    const ScanCommandOptions& options);

// Adds every endpoint of the (checked) stream `path` to `finished`, in stream order, and returns
// the script facts its header lines and 1.x lines gave; or why the stream could not be read.
std::variant<nlohmann::json, std::string> resume_finished_endpoints(
    const std::filesystem::path& path, FinishedEndpoints& finished);

}  // namespace relayaudit
