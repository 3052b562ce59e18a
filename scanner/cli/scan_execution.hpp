// Runs a validated scan on one libuv loop and writes its outputs.
#pragma once

#include <cstddef>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/scan_command.hpp"
#include "relaytests/relay_script.hpp"
#include "targets/target.hpp"

namespace relayaudit {

// `resumed`: the endpoints of the --resume stream, already checked, as {"endpoint": key}
// (scan_stream.hpp); their results are read from the stream again.
int execute_scan(ScanCommandOptions& options, std::vector<Target> targets,
                 std::vector<RelayScript> scripts, std::vector<nlohmann::json> resumed);

// Raises the open-file soft limit to the hard limit: thousands of sockets run at once. Returns
// the soft limit now in force.
std::size_t raise_file_limit();

}  // namespace relayaudit
