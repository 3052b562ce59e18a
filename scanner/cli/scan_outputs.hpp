// The files a finished or interrupted scan leaves: the results document and the report formats.
#pragma once

#include <optional>
#include <string>

#include "cli/scan_command.hpp"
#include "reports/run_provenance.hpp"
#include "results/audit_result.hpp"

namespace relayaudit {

// Writes -o and every requested --junit/--sarif/--markdown/--html file from one results document
// built from `result` and `run` (marked incomplete when the scan was interrupted). Returns
// kExitClean, or kExitRuntime when a file could not be written (each one named on stderr; the
// others are still written).
// The first output of the scan (-o, --jsonl, the report formats) that can never be written,
// as "<flag>: <why>", checked before the scan starts; nullopt when every one can be tried.
std::optional<std::string> scan_outputs_problem(const ScanCommandOptions& options);

// Whether -o or a report goes to standard output ("-"): the terminal summary moves to stderr.
bool scan_writes_standard_output(const ScanCommandOptions& options);

int write_scan_outputs(const ScanCommandOptions& options, const ScanResult& result,
                       const RunProvenance& run);

}  // namespace relayaudit
