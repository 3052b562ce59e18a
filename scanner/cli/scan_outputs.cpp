// Writes the results document and the report formats at the end of a scan.
#include "cli/scan_outputs.hpp"

#include <iostream>

#include "cli/exit_codes.hpp"
#include "cli/output_preflight.hpp"
#include "cli/report_command.hpp"
#include "reports/endpoint_source.hpp"
#include "reports/output_path.hpp"
#include "reports/results_json.hpp"

namespace relayaudit {
namespace {

int exit_code_of(const std::optional<std::string>& error) {
  if (!error) return kExitClean;
  std::cerr << "relayaudit: " << *error << "\n";
  return kExitRuntime;
}

// The endpoints' text as the spill holds it, for write_results_file.
EndpointLines spilled_lines(const FinishedEndpoints& finished,
                            std::optional<std::string>& read_error) {
  return [&finished, &read_error](const auto& line) {
    return finished.for_each_text(line, read_error);
  };
}

}  // namespace

std::optional<std::string> scan_outputs_problem(const ScanCommandOptions& options) {
  std::vector<RequestedOutput> outputs = {{"-o", options.output}};
  // The stream is appended to and read back by --resume: "-" is a file of that name there.
  outputs.push_back({"--jsonl", options.jsonl, false, true});
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

bool scan_needs_endpoints(const ScanCommandOptions& options) {
  return !options.output.empty() || any_report_requested(options.reports);
}

int write_scan_outputs(const ScanCommandOptions& options, const ScanResult& result,
                       const RunProvenance& run, const nlohmann::json& scripts,
                       const FinishedEndpoints& finished) {
  const nlohmann::json header = results_header_json(result, &run, scripts, finished.digests());
  std::optional<std::string> read_error;
  int code = kExitClean;
  if (!options.output.empty()) {
    // Copied from the spill endpoint by endpoint: a large scan never sits in memory.
    code = exit_code_of(
        write_results_file(options.output, header, spilled_lines(finished, read_error)));
  }
  if (any_report_requested(options.reports)) {
    // Each format reads the spilled endpoints one at a time, as -o did: the same endpoints.
    const SpilledEndpoints endpoints(finished);
    if (write_streamed_report_files(header, endpoints, options.reports) != kExitClean) {
      code = kExitRuntime;
    }
    if (!read_error) read_error = endpoints.error();
  }
  if (read_error) code = std::max(code, exit_code_of(read_error));
  return code;
}

}  // namespace relayaudit
