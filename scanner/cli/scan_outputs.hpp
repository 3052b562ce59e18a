// The files a finished or interrupted scan leaves: the results document and the report formats.
#pragma once

#include "cli/scan_command.hpp"
#include "reports/run_provenance.hpp"
#include "scheduler/audit_result.hpp"

namespace relayaudit {

// Writes -o and every requested --junit/--sarif/--markdown/--html file from one results document
// built from `result` and `run` (marked incomplete when the scan was interrupted). Returns
// kExitClean, or kExitRuntime when a file could not be written (each one named on stderr; the
// others are still written).
int write_scan_outputs(const ScanCommandOptions& options, const ScanResult& result,
                       const RunProvenance& run);

}  // namespace relayaudit
