// `relayaudit merge`: reads, checks and joins the documents, writes the merged results.
#include "cli/merge_command.hpp"

#include <algorithm>
#include <iostream>

#include "cli/exit_codes.hpp"
#include "cli/output_preflight.hpp"
#include "cli/run_provenance.hpp"
#include "reports/endpoint_json.hpp"
#include "reports/endpoint_source.hpp"
#include "reports/endpoint_spill.hpp"
#include "reports/finished_endpoints.hpp"
#include "reports/output_path.hpp"
#include "reports/results_json.hpp"
#include "reports/results_merge.hpp"
#include "reports/results_merge_checks.hpp"
#include "reports/results_merge_reader.hpp"
#include "reports/safe_text.hpp"
#include "reports/vantage_verdicts.hpp"

namespace relayaudit {
namespace {

using nlohmann::json;

// The document in `file` with its endpoints' facts only, or nullopt after printing why it
// cannot be merged, naming the file.
std::optional<json> read_merge_input(const std::string& file) {
  auto read = read_merge_facts(file);
  if (auto* problem = std::get_if<std::string>(&read)) {
    std::cerr << "relayaudit: merge: " << *problem << "\n";
    return std::nullopt;
  }
  json document = std::move(std::get<json>(read));
  if (const auto problem = merge_input_problem(document)) {
    std::cerr << "relayaudit: merge: " << terminal_safe(file)
              << ": not a relayaudit results document: " << terminal_safe(*problem) << "\n";
    return std::nullopt;
  }
  return document;
}

// Copies the picked endpoints of every input, whole, into `finished` (a spill file), in merged
// order; an error names the file.
std::optional<std::string> spill_picked_endpoints(const std::vector<MergeInput>& inputs,
                                                  const MergePlan& plan,
                                                  FinishedEndpoints& finished) {
  std::size_t next = 0;
  while (next < plan.picks.size()) {
    const std::size_t input = plan.picks[next].input;
    std::optional<std::string> error;
    const auto read =
        for_each_merge_endpoint(inputs[input].file, [&](std::size_t index, json& endpoint) {
          if (next == plan.picks.size() || plan.picks[next].input != input) return false;
          const MergePick& pick = plan.picks[next];
          if (pick.index != index) return true;
          // The file changed since it was checked: its endpoints are not the ones planned.
          if (endpoint.value("endpoint", std::string()) != pick.key) {
            error = terminal_safe(inputs[input].file) + " changed while it was merged";
            return false;
          }
          if (!pick.vantages.is_null()) endpoint["vantages"] = pick.vantages;
          error = finished.add(pick.digest, endpoint_line(endpoint), pick.order);
          ++next;
          return !error;
        });
    if (read) return read;
    if (error) return error;
    if (next < plan.picks.size() && plan.picks[next].input == input) {
      return terminal_safe(inputs[input].file) + " changed while it was merged";
    }
  }
  finished.arrange();
  return std::nullopt;
}

std::string summary_count(const json& summary, const char* key) {
  const auto found = summary.find(key);
  return found != summary.end() && found->is_number_integer() ? found->dump() : "0";
}

// Counts, then every endpoint that is not closed or was seen from several vantages, with its
// verdict per vantage; a long list stops after a page.
void print_merge_summary(std::ostream& out, const json& header, const FinishedEndpoints& finished,
                         std::size_t inputs) {
  const json& summary = header["summary"];
  out << "relayaudit merge: " << inputs << " documents, " << summary_count(summary, "endpoints")
      << " endpoints: " << summary_count(summary, "open_relay") << " open relay, "
      << summary_count(summary, "closed") << " closed, " << summary_count(summary, "inconclusive")
      << " inconclusive, " << summary_count(summary, "unreachable") << " unreachable, "
      << summary_count(summary, "unresolved") << " unresolved target(s); verdict "
      << terminal_safe(summary.value("verdict", std::string())) << "\n";
  constexpr std::size_t kMostLines = 50;
  std::size_t listed = 0;
  std::size_t left = 0;
  const SpilledEndpoints endpoints(finished);
  for (std::size_t i = 0; i < endpoints.size(); ++i) {
    endpoints.visit(i, [&](const json& endpoint) {
      const std::string per_vantage = vantage_verdicts_text(endpoint);
      const std::string verdict = endpoint.value("verdict", std::string());
      if (per_vantage.empty() && verdict == "closed") return;
      if (listed == kMostLines) {
        ++left;
        return;
      }
      ++listed;
      out << "  " << terminal_safe(endpoint.value("endpoint", std::string())) << "  "
          << terminal_safe(per_vantage.empty() ? verdict : per_vantage) << "\n";
    });
  }
  if (left > 0) out << "  ... and " << left << " more (see the merged document)\n";
}

int merge_exit_code(const json& document, const std::string& fail_on) {
  const json& summary = document["summary"];
  if (summary.value("open_relay", 0) > 0) return kExitOpenRelay;
  const bool unsettled = summary.value("inconclusive", 0) > 0 ||
                         summary.value("unreachable", 0) > 0 || summary.value("unresolved", 0) > 0;
  return fail_on == "inconclusive" && unsettled ? kExitInconclusive : kExitClean;
}

}  // namespace

void register_merge_command(CLI::App& app, MergeCommandOptions& options) {
  CLI::App* merge = app.add_subcommand(
      "merge",
      "Join the results of 'scan --shard K/N' runs (or of audits from several vantages with "
      "--by-vantage) into one results document");
  merge->add_option("files", options.files, "Results documents to join (shard-*.json)")
      ->required()
      ->type_name("FILE");
  merge
      ->add_option("-o,--output", options.output,
                   "Write the merged results here (a file atomically; - for stdout)")
      ->required();
  add_report_output_options(*merge, options.reports);
  merge->add_flag("--by-vantage", options.by_vantage,
                  "Keep one result per vantage (scan --vantage-name) for an endpoint audited from "
                  "several places, instead of refusing the duplicate");
  merge
      ->add_option("--fail-on", options.fail_on,
                   "inconclusive (default): exit 1 on an open relay, else 3 when an endpoint is "
                   "unproven; open-relay: exit 1 on open relays only")
      ->check(CLI::IsMember({"open-relay", "inconclusive"}))
      ->capture_default_str();
  merge->add_flag("-q,--quiet", options.quiet, "No summary");
  merge->footer(
      "Refused with exit 2, naming the files: documents of different plans (script ids or\n"
      "SHA-256) or verdict-changing options, shards of different counts, a shard number given\n"
      "twice or missing, an endpoint audited twice (without --by-vantage).");
}

int run_merge_command(MergeCommandOptions& options) {
  std::vector<RequestedOutput> outputs = {{"-o", options.output}};
  for (auto& report : requested_outputs(options.reports)) outputs.push_back(std::move(report));
  if (auto problem = outputs_problem(outputs)) {
    std::cerr << "relayaudit: merge: " << *problem << "; nothing was written\n";
    return kExitUsage;
  }
  std::vector<MergeInput> inputs;
  for (const auto& file : options.files) {
    auto document = read_merge_input(file);
    if (!document) return kExitUsage;
    inputs.push_back({file, std::move(*document)});
  }
  MergeRequest request;
  request.by_vantage = options.by_vantage;
  request.run = collect_run_provenance(options.command_line, {});
  auto planned = merge_results(inputs, std::move(request));
  if (auto* problem = std::get_if<std::string>(&planned)) {
    std::cerr << "relayaudit: merge: " << *problem << "; nothing was written\n";
    return kExitUsage;
  }
  const MergePlan& plan = std::get<MergePlan>(planned);
  // The endpoints go through a spill file, as a scan's do: memory holds a digest each.
  FinishedEndpoints finished;
  auto error = finished.keep_texts(spill_directory(options.output));
  if (error) error = finished.keep_texts(spill_directory(""));
  if (!error) error = spill_picked_endpoints(inputs, plan, finished);
  if (error) {
    std::cerr << "relayaudit: merge: " << *error << "; nothing was written\n";
    return kExitRuntime;
  }
  std::optional<std::string> read_error;
  error = write_results_file(options.output, plan.header, [&](const auto& line) {
    return finished.for_each_text(line, read_error);
  });
  if (error || read_error) {
    std::cerr << "relayaudit: merge: " << error.value_or(read_error.value_or("")) << "\n";
    return kExitRuntime;
  }
  int code = kExitClean;
  if (any_report_requested(options.reports)) {
    const SpilledEndpoints endpoints(finished);
    code = write_streamed_report_files(plan.header, endpoints, options.reports);
  }
  if (!options.quiet) {
    print_merge_summary(names_standard_output(options.output) ? std::cerr : std::cout, plan.header,
                        finished, inputs.size());
  }
  return std::max(code, merge_exit_code(plan.header, options.fail_on));
}

}  // namespace relayaudit
