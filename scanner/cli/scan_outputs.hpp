// The files a finished or interrupted scan leaves: the results document and the report formats.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "cli/scan_command.hpp"
#include "reports/finished_endpoints.hpp"
#include "reports/run_provenance.hpp"
#include "results/audit_result.hpp"

namespace relayaudit {

// The first output of the scan (-o, --jsonl, the report formats) that can never be written,
// as "<flag>: <why>", checked before the scan starts; nullopt when every one can be tried.
std::optional<std::string> scan_outputs_problem(const ScanCommandOptions& options);

// Whether -o or a report goes to standard output ("-"): the terminal summary moves to stderr.
bool scan_writes_standard_output(const ScanCommandOptions& options);

// Whether any output needs the endpoints themselves, not only their digests.
bool scan_needs_endpoints(const ScanCommandOptions& options);

// Writes -o and every requested --junit/--sarif/--markdown/--html file from one results document:
// the header from `result` (marked incomplete when the scan was interrupted), `run` and
// `scripts`, the endpoints read back from `finished` (arranged). Returns kExitClean, or
// kExitRuntime when a file could not be written (each one named on stderr; the others are
// still written).
int write_scan_outputs(const ScanCommandOptions& options, const ScanResult& result,
                       const RunProvenance& run, const nlohmann::json& scripts,
                       const FinishedEndpoints& finished);

}  // namespace relayaudit
