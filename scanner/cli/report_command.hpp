// `relayaudit report`: render a results document as the CI and audit formats.
#pragma once

#include <map>
#include <span>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "cli/output_preflight.hpp"
#include "reports/atomic_file.hpp"
#include "reports/endpoint_source.hpp"

namespace relayaudit {

// One format rendered from a results document; `--<name> FILE` asks for it.
struct ReportFormat {
  const char* name;  // "junit": the flag is --junit
  const char* help;
  std::string (*render)(const nlohmann::json& results);
  // The same written piece by piece, the endpoints read one at a time (a scan's spill file).
  bool (*write)(const nlohmann::json& results, const EndpointSource& endpoints,
                const ChunkSink& sink);
};

// Every format, in the order the files are rendered and written. A new writer is
// one more entry in the table in report_command.cpp; its flag, help and writing follow from it.
std::span<const ReportFormat> report_formats();

// Format name -> file to write; formats not asked for are absent or empty.
using ReportOutputs = std::map<std::string, std::string>;

// Adds one `--<format> FILE` option per format to `command`: `report` uses it, and so can
// `scan`, which takes the same flags.
void add_report_output_options(CLI::App& command, ReportOutputs& outputs);

// Whether any format has a file to write.
bool any_report_requested(const ReportOutputs& outputs);

// Every format with a file to write, as "--<format>" and its path, for outputs_problem.
std::vector<RequestedOutput> requested_outputs(const ReportOutputs& outputs);

// Renders every requested format first (a document missing a field the writers need fails
// before any file is touched, with kExitUsage and the reason on stderr, naming `source`), then
// writes each through write_output_file (a file atomically, a device or FIFO in place, "-" to
// stdout). Returns kExitClean, or kExitRuntime when a file could not be written (each one named
// on stderr; the others are still written).
int write_report_files(const nlohmann::json& results, const ReportOutputs& outputs,
                       const std::string& source);

// Writes every requested format straight into its file, each rendered from `header` (the
// document without its endpoints) and `endpoints` read one at a time, so a scan of any size is
// reported in bounded memory. The document is the scan's own: a render failure is a runtime
// error. Returns kExitClean, or kExitRuntime naming each file that could not be written.
int write_streamed_report_files(const nlohmann::json& header, const EndpointSource& endpoints,
                                const ReportOutputs& outputs);

struct ReportCommandOptions {
  std::string results_file;
  ReportOutputs outputs;
};

void register_report_command(CLI::App& app, ReportCommandOptions& options);

// Exit codes as for a scan: 1 when the document's run verdict is open-relay, else 0; 2 when the
// document cannot be read, is not JSON (the message names the file and the position) or has a
// schema_version of another major version, or when an output path can never be written (a
// directory, a socket; nothing is written then); 4 when an output cannot be written.
int run_report_command(const ReportCommandOptions& options);

}  // namespace relayaudit
