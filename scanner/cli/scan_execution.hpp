// Runs a validated scan on one libuv loop and writes its outputs.
#pragma once

#include <vector>

#include "cli/scan_command.hpp"
#include "relaytests/relay_script.hpp"
#include "targets/target.hpp"

namespace relayaudit {

int execute_scan(ScanCommandOptions& options, std::vector<Target> targets,
                 std::vector<RelayScript> scripts);

// Raises the open-file soft limit to the hard limit: thousands of sockets run at once.
void raise_file_limit();

}  // namespace relayaudit
