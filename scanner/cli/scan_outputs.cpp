// Writes the results document and the report formats at the end of a scan.
#include "cli/scan_outputs.hpp"

#include <unistd.h>

#include <cstdlib>
#include <iostream>

#include "cli/exit_codes.hpp"
#include "cli/output_preflight.hpp"
#include "cli/report_command.hpp"
#include "reports/endpoint_source.hpp"
#include "reports/output_path.hpp"
#include "reports/results_json.hpp"
#include "reports/safe_text.hpp"

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

// Where the results go when an output failed at the end: next to -o when it is a file, else in
// $TMPDIR (or /tmp). Never next to a device or FIFO.
std::vector<std::filesystem::path> rescue_paths(const std::string& output) {
  const std::string pid = std::to_string(::getpid());
  std::vector<std::filesystem::path> paths;
  if (!output.empty() && !names_standard_output(output)) {
    const auto target = resolve_output_path(output);
    const auto* file = std::get_if<OutputTarget>(&target);
    if (file != nullptr && file->kind == OutputKind::replace_file) {
      paths.push_back(file->path.parent_path() /
                      (file->path.stem().string() + ".rescued-" + pid + ".json"));
    }
  }
  const char* tmpdir = std::getenv("TMPDIR");
  const std::filesystem::path temporary = tmpdir != nullptr && *tmpdir != '\0' ? tmpdir : "/tmp";
  paths.push_back(temporary / ("relayaudit-results-" + pid + ".json"));
  return paths;
}

// Keeps the whole results document in the first rescue path that takes it, and says where:
// `relayaudit report` renders every format again from it.
void rescue_results(const ScanCommandOptions& options, const nlohmann::json& header,
                    const FinishedEndpoints& finished) {
  std::string failures;
  for (const auto& path : rescue_paths(options.output)) {
    std::optional<std::string> read_error;
    const auto error = write_results_file(path, header, spilled_lines(finished, read_error));
    if (!error && !read_error) {
      std::cerr << "relayaudit: the results are kept in " << terminal_safe(path.string())
                << " (relayaudit report " << terminal_safe(path.string())
                << " writes every format from it)\n";
      return;
    }
    failures += "; " + error.value_or(read_error.value_or(""));
  }
  std::cerr << "relayaudit: the results could not be kept anywhere" << terminal_safe(failures)
            << "\n";
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
  bool write_failed = false;
  bool results_written = false;
  if (!options.output.empty()) {
    // Copied from the spill endpoint by endpoint: a large scan never sits in memory.
    code = exit_code_of(
        write_results_file(options.output, header, spilled_lines(finished, read_error)));
    results_written = code == kExitClean;
    write_failed = !results_written && !read_error;
  }
  if (any_report_requested(options.reports)) {
    // Each format reads the spilled endpoints one at a time, as -o did: the same endpoints.
    const SpilledEndpoints endpoints(finished);
    if (write_streamed_report_files(header, endpoints, options.reports) != kExitClean) {
      code = kExitRuntime;
      write_failed = write_failed || !endpoints.error();
    }
    if (!read_error) read_error = endpoints.error();
  }
  if (read_error) code = std::max(code, exit_code_of(read_error));
  // A full disk at the end must not lose the audit: the spill still holds every endpoint, and
  // a report that failed can be rendered again from the results once they are safe somewhere.
  if (write_failed && !results_written && !read_error) rescue_results(options, header, finished);
  return code;
}

}  // namespace relayaudit
