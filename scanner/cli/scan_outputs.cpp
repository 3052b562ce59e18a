// Writes the results document and the report formats at the end of a scan.
#include "cli/scan_outputs.hpp"

#include <iostream>

#include "cli/exit_codes.hpp"
#include "cli/output_preflight.hpp"
#include "cli/report_command.hpp"
#include "reports/output_path.hpp"
#include "reports/results_json.hpp"

namespace relayaudit {
namespace {

int exit_code_of(const std::optional<std::string>& error) {
  if (!error) return kExitClean;
  std::cerr << "relayaudit: " << *error << "\n";
  return kExitRuntime;
}

}  // namespace

std::optional<std::string> scan_outputs_problem(const ScanCommandOptions& options) {
  std::vector<RequestedOutput> outputs = {{"-o", options.output}};
  // The stream is appended to and read back by --resume: "-" is a file of that name there.
  outputs.push_back({"--jsonl", options.jsonl, false});
  for (auto& report : requested_outputs(options.reports)) outputs.push_back(std::move(report));
  return outputs_problem(outputs);
}

bool scan_writes_standard_output(const ScanCommandOptions& options) {
  if (names_standard_output(options.output)) return true;
  for (const auto& [format, path] : options.reports) {
    if (names_standard_output(path)) return true;
  }
  return false;
}

int write_scan_outputs(const ScanCommandOptions& options, const ScanResult& result,
                       const RunProvenance& run) {
  if (!any_report_requested(options.reports)) {
    if (options.output.empty()) return kExitClean;
    // Streamed endpoint by endpoint: a large scan never sits in memory as one JSON tree.
    return exit_code_of(write_results_file(options.output, result, &run));
  }
  // The report writers read the whole tree anyway; building it once makes -o and every format
  // show the same document.
  const nlohmann::json document = results_to_json(result, &run);
  int code = kExitClean;
  if (!options.output.empty()) code = exit_code_of(write_results_file(options.output, document));
  const std::string source = options.output.empty() || names_standard_output(options.output)
                                 ? "scan results"
                                 : options.output;
  // A render failure here would be our own bug, not the user's input: a runtime error, too.
  if (write_report_files(document, options.reports, source) != kExitClean) code = kExitRuntime;
  return code;
}

}  // namespace relayaudit
