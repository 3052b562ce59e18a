// `scan --dry-run`: every input checked, then what the scan would audit, with nothing sent.
#pragma once

#include <ostream>
#include <vector>

#include "cli/scan_command.hpp"
#include "relaytests/relay_script.hpp"
#include "targets/target.hpp"

namespace relayaudit {

// One line per target (what it is and what the scan will ask or connect to), the scripts and
// the outputs. No name is resolved and no connection is made.
void print_dry_run(std::ostream& out, const ScanCommandOptions& options,
                   const std::vector<Target>& targets, const std::vector<RelayScript>& scripts);

}  // namespace relayaudit
