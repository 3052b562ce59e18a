// `relayaudit diff`: reads two results documents and reports what got worse or better.
#include "cli/diff_command.hpp"

#include <iostream>
#include <optional>

#include <nlohmann/json.hpp>

#include "cli/exit_codes.hpp"
#include "reports/json_file.hpp"
#include "reports/results_diff.hpp"
#include "reports/results_upgrade.hpp"
#include "reports/safe_text.hpp"

namespace relayaudit {
namespace {

// The document in `file`, or nullopt after printing why it cannot be used, naming the file.
std::optional<nlohmann::json> read_document(const std::string& file) {
  const std::string path = terminal_safe(file);
  auto read = read_json_file(file);
  if (auto* problem = std::get_if<std::string>(&read)) {
    std::cerr << "relayaudit: " << *problem << "\n";
    return std::nullopt;
  }
  nlohmann::json document = std::move(std::get<nlohmann::json>(read));
  if (const auto problem = diff_input_problem(document)) {
    std::cerr << "relayaudit: " << path
              << ": not a relayaudit results document: " << terminal_safe(*problem) << "\n";
    return std::nullopt;
  }
  // 1.x is read in the 2.0 shape, as `report` reads it.
  return is_results_1x(document) ? upgrade_results(std::move(document)) : document;
}

}  // namespace

void register_diff_command(CLI::App& app, DiffCommandOptions& options) {
  CLI::App* diff = app.add_subcommand(
      "diff", "Compare two results documents; exit 1 when a new open relay appeared");
  diff->add_option("baseline", options.baseline, "Results of the earlier scan")->required();
  diff->add_option("current", options.current, "Results of the scan to check")->required();
  diff->add_flag("--json", options.json, "Print the differences as JSON");
  diff->add_option("--fail-on", options.fail_on,
                   "open-relay: exit 1 on a new open relay; inconclusive: also exit 3 when an "
                   "endpoint became inconclusive or unreachable")
      ->check(CLI::IsMember({"open-relay", "inconclusive"}))
      ->capture_default_str();
}

int run_diff_command(const DiffCommandOptions& options) {
  const auto baseline = read_document(options.baseline);
  if (!baseline) return kExitUsage;
  const auto current = read_document(options.current);
  if (!current) return kExitUsage;

  const ResultsDiff diff = diff_results(*baseline, *current);
  if (options.json) {
    nlohmann::json out = diff_to_json(diff);
    out["baseline"] = options.baseline;
    out["current"] = options.current;
    std::cout << out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  } else {
    std::cout << "relayaudit diff: " << terminal_safe(options.baseline) << " -> "
              << terminal_safe(options.current) << "\n"
              << diff_to_text(diff);
  }
  std::cout << std::flush;
  if (relaying_got_worse(diff)) return kExitOpenRelay;
  if (options.fail_on == "inconclusive" && coverage_got_worse(diff)) return kExitInconclusive;
  return kExitClean;
}

}  // namespace relayaudit
