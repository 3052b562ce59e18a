// Gathers the "run" block of a scan's results: who, where, the command line, the scripts.
#pragma once

#include <string>
#include <vector>

#include "relaytests/relay_script.hpp"
#include "reports/run_provenance.hpp"
#include "smtp/vantage.hpp"

namespace relayaudit {

// Reads the effective user, the host name and the working directory from the system; a value
// the system cannot give stays unset rather than failing the scan.
RunProvenance collect_run_provenance(const std::vector<std::string>& command_line,
                                     const std::vector<RelayScript>& scripts,
                                     const Vantage& vantage = {});

}  // namespace relayaudit
