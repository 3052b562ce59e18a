// Checks and repairs of the --jsonl stream, done before anything connects.
#include "cli/scan_stream.hpp"

#include <iostream>

#include "cli/exit_codes.hpp"
#include "reports/endpoint_json.hpp"
#include "reports/jsonl_stream.hpp"
#include "reports/safe_text.hpp"

namespace relayaudit {

std::variant<std::vector<nlohmann::json>, int> prepare_jsonl_stream(
    const ScanCommandOptions& options) {
  if (options.jsonl.empty()) return std::vector<nlohmann::json>{};
  const std::string name = terminal_safe(options.jsonl);
  if (options.resume.empty()) {
    std::error_code ignored;
    const bool regular = std::filesystem::is_regular_file(options.jsonl, ignored);
    // Appending a second run would list every endpoint twice.
    if (regular && std::filesystem::file_size(options.jsonl, ignored) > 0 &&
        !options.jsonl_overwrite) {
      std::cerr << "relayaudit: --jsonl " << name
                << ": the file already holds a stream; give --resume " << name
                << " to continue that scan, or --jsonl-overwrite to start it over\n";
      return kExitUsage;
    }
    return std::vector<nlohmann::json>{};
  }
  std::vector<nlohmann::json> keys;
  auto read = read_jsonl(options.resume, [&keys](nlohmann::json&& endpoint) {
    keys.push_back({{"endpoint", std::move(endpoint["endpoint"])}});
  });
  if (auto* error = std::get_if<std::string>(&read)) {
    std::cerr << "relayaudit: --resume: " << *error << "\n";
    return kExitUsage;
  }
  auto& contents = std::get<JsonlContents>(read);
  if (contents.torn_line) {
    std::cerr << "relayaudit: --resume: " << *contents.torn_line
              << "; cutting it off (that endpoint is audited again)\n";
    if (auto error = truncate_stream(options.resume, contents.complete_bytes)) {
      std::cerr << "relayaudit: --resume: " << *error << "\n";
      return kExitRuntime;
    }
  }
  return keys;
}

std::variant<nlohmann::json, std::string> resume_finished_endpoints(
    const std::filesystem::path& path, FinishedEndpoints& finished) {
  std::optional<std::string> kept_error;
  auto read = read_jsonl(path, [&](nlohmann::json&& endpoint) {
    if (kept_error) return;
    EndpointDigest digest = digest_of(endpoint);
    kept_error = finished.add_resumed(std::move(digest), endpoint_line(endpoint));
  });
  if (auto* error = std::get_if<std::string>(&read)) return *error;
  if (kept_error) return *kept_error;
  return std::move(std::get<JsonlContents>(read).scripts);
}

}  // namespace relayaudit
