// The results document's "run" block from a RunProvenance.
#include "reports/run_provenance.hpp"

#include "reports/safe_text.hpp"
#include "reports/shard_key.hpp"

namespace relayaudit {
namespace {

using nlohmann::json;

// Paths, argv and host names are bytes, not necessarily UTF-8.
json safe_or_null(const std::optional<std::string>& text) {
  return text ? json(escape_invalid_utf8(*text)) : json(nullptr);
}

}  // namespace

json run_provenance_json(const RunProvenance& run) {
  json command_line = json::array();
  for (const auto& argument : run.command_line)
    command_line.push_back(escape_invalid_utf8(argument));
  json out = {
      {"user", safe_or_null(run.user)},
      {"uid", run.uid},
      {"host", safe_or_null(run.host)},
      {"working_directory", safe_or_null(run.working_directory)},
      {"command_line", std::move(command_line)},
      {"vantage", {{"mode", run.vantage_mode}, {"client", safe_or_null(run.vantage_client)}}},
  };
  if (run.vantage_name) out["vantage_name"] = escape_invalid_utf8(*run.vantage_name);
  if (run.shard) {
    out["shard"] = {{"k", run.shard->k},
                    {"n", run.shard->n},
                    {"rule", kShardRule},
                    {"skipped", run.shard->skipped}};
  }
  if (!run.shards.is_null()) out["shards"] = run.shards;
  return out;
}

}  // namespace relayaudit
