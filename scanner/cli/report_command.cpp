// `relayaudit report results.json --junit F --sarif F --markdown F`: the formats from the JSON.
#include "cli/report_command.hpp"

#include <algorithm>
#include <iostream>
#include <vector>

#include "cli/exit_codes.hpp"
#include "reports/html_report.hpp"
#include "reports/json_file.hpp"
#include "reports/junit_report.hpp"
#include "reports/markdown_report.hpp"
#include "reports/output_file.hpp"
#include "reports/results_json.hpp"
#include "reports/results_upgrade.hpp"
#include "reports/safe_text.hpp"
#include "reports/sarif_report.hpp"

namespace relayaudit {
namespace {

constexpr ReportFormat kReportFormats[] = {
    {"junit", "Write JUnit XML here: a test case per endpoint x script (Jenkins, GitLab)",
     render_junit, write_junit},
    {"sarif",
     "Write SARIF 2.1.0 here: an alert per open relay naming its scripts (GitHub code scanning)",
     render_sarif, write_sarif},
    {"markdown", "Write a Markdown job summary here (GitHub step summary, GitLab)", render_markdown,
     write_markdown},
    {"html", "Write the auditor's HTML report here: one self-contained file, prints to PDF",
     render_html, write_html},
};

// nlohmann's messages start with "[json.exception.parse_error.101] "; the rest is for people.
std::string without_exception_id(const std::string& message) {
  const auto end = message.find("] ");
  return message.rfind("[json.exception.", 0) == 0 && end != std::string::npos
             ? message.substr(end + 2)
             : message;
}

// The major number of "1.0", as text; "" when the version is not "<major>.<minor>".
std::string major_version(const std::string& version) {
  const auto dot = version.find('.');
  if (dot == 0 || dot == std::string::npos || dot + 1 == version.size()) return "";
  for (std::size_t i = 0; i < version.size(); ++i) {
    if (i != dot && (version[i] < '0' || version[i] > '9')) return "";
  }
  return version.substr(0, dot);
}

// Reads and parses the document; on failure prints why, naming the file, and returns nullopt.
std::optional<nlohmann::json> read_results(const std::string& path) {
  auto read = read_json_file(path);
  if (auto* problem = std::get_if<std::string>(&read)) {
    std::cerr << "relayaudit: " << *problem << "\n";
    return std::nullopt;
  }
  nlohmann::json document = std::move(std::get<nlohmann::json>(read));
  const std::string expected = kResultsSchemaVersion;
  if (!document.is_object() || !document.contains("schema_version") ||
      !document["schema_version"].is_string()) {
    std::cerr << "relayaudit: " << terminal_safe(path)
              << ": not a relayaudit results document (no schema_version)\n";
    return std::nullopt;
  }
  // A change that breaks readers bumps the major number (docs/results-format.md); 1.x is read
  // in the 2.0 shape, so every writer knows one shape.
  const std::string version = document["schema_version"].get<std::string>();
  const std::string major = major_version(version);
  if (major != "1" && major != major_version(expected)) {
    std::cerr << "relayaudit: " << terminal_safe(path) << ": schema_version \""
              << terminal_safe(version) << "\" is not supported (this relayaudit reads 1.x and "
              << expected << ")\n";
    return std::nullopt;
  }
  return is_results_1x(document) ? upgrade_results(std::move(document)) : document;
}

}  // namespace

std::span<const ReportFormat> report_formats() {
  return kReportFormats;
}

void add_report_output_options(CLI::App& command, ReportOutputs& outputs) {
  for (const ReportFormat& format : report_formats()) {
    // std::map never moves its values, so the option can bind to this one.
    command.add_option(std::string("--") + format.name, outputs[format.name], format.help)
        ->type_name("FILE");
  }
}

bool any_report_requested(const ReportOutputs& outputs) {
  return std::any_of(outputs.begin(), outputs.end(),
                     [](const auto& output) { return !output.second.empty(); });
}

std::vector<RequestedOutput> requested_outputs(const ReportOutputs& outputs) {
  std::vector<RequestedOutput> requested;
  for (const ReportFormat& format : report_formats()) {
    const auto output = outputs.find(format.name);
    if (output == outputs.end() || output->second.empty()) continue;
    requested.push_back({std::string("--") + format.name, output->second});
  }
  return requested;
}

int write_report_files(const nlohmann::json& results, const ReportOutputs& outputs,
                       const std::string& source) {
  std::vector<std::pair<std::string, std::string>> files;  // path, content
  for (const ReportFormat& format : report_formats()) {
    const auto output = outputs.find(format.name);
    if (output == outputs.end() || output->second.empty()) continue;
    try {
      files.emplace_back(output->second, format.render(results));
    } catch (const nlohmann::json::exception& error) {
      std::cerr << "relayaudit: " << terminal_safe(source) << ": cannot render --" << format.name
                << ", the results document is incomplete: "
                << terminal_safe(without_exception_id(error.what())) << "; nothing was written\n";
      return kExitUsage;
    }
  }
  int code = kExitClean;
  for (const auto& [path, content] : files) {
    if (auto error = write_output_file(path, content)) {
      std::cerr << "relayaudit: " << *error << "\n";
      code = kExitRuntime;
    }
  }
  return code;
}

int write_streamed_report_files(const nlohmann::json& header, const EndpointSource& endpoints,
                                const ReportOutputs& outputs) {
  int code = kExitClean;
  for (const ReportFormat& format : report_formats()) {
    const auto output = outputs.find(format.name);
    if (output == outputs.end() || output->second.empty()) continue;
    std::optional<std::string> render_error;
    auto error = write_output_file(output->second, [&](const ChunkSink& sink) {
      try {
        return format.write(header, endpoints, sink);
      } catch (const nlohmann::json::exception& failure) {
        render_error = without_exception_id(failure.what());
        return false;
      }
    });
    if (render_error) error = "cannot render --" + std::string(format.name) + ": " + *render_error;
    if (error) {
      std::cerr << "relayaudit: " << *error << "\n";
      code = kExitRuntime;
    }
  }
  return code;
}

void register_report_command(CLI::App& app, ReportCommandOptions& options) {
  CLI::App* report = app.add_subcommand(
      "report", "Render a results JSON (from 'scan -o') as JUnit, SARIF, Markdown or HTML");
  report->add_option("results", options.results_file, "The results document to render")
      ->required()
      ->type_name("FILE");
  add_report_output_options(*report, options.outputs);
  report->footer(
      "Exit codes as for scan: 0 no open relay in the document, 1 open relay, 2 unreadable or\n"
      "unsupported document or an output path that cannot be written (a directory, a socket),\n"
      "4 an output could not be written. FILE may be a device or FIFO (written in place) or -\n"
      "(standard output, for one of them).");
}

int run_report_command(const ReportCommandOptions& options) {
  if (!any_report_requested(options.outputs)) {
    std::string flags;
    for (const ReportFormat& format : report_formats()) {
      flags += (flags.empty() ? "--" : ", --") + std::string(format.name);
    }
    std::cerr << "relayaudit: report: nothing to write; give at least one of " << flags << "\n";
    return kExitUsage;
  }
  if (auto problem = outputs_problem(requested_outputs(options.outputs))) {
    std::cerr << "relayaudit: report: " << *problem << "; nothing was written\n";
    return kExitUsage;
  }
  const auto results = read_results(options.results_file);
  if (!results) return kExitUsage;
  const int written = write_report_files(*results, options.outputs, options.results_file);
  if (written != kExitClean) return written;
  // value() would throw on a verdict of another type; a hand-made document may hold anything.
  const auto summary = results->find("summary");
  const bool open = summary != results->end() && summary->is_object() &&
                    summary->contains("verdict") && (*summary)["verdict"] == "open-relay";
  return open ? kExitOpenRelay : kExitClean;
}

}  // namespace relayaudit
