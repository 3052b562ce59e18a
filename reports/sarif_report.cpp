// SARIF 2.1.0 rendering of a results document, built as nlohmann::json.
#include "reports/sarif_report.hpp"

#include <algorithm>
#include <array>
#include <map>

#include "reports/endpoint_source.hpp"
#include "reports/project_links.hpp"
#include "reports/sarif_results.hpp"
#include "reports/sarif_rules.hpp"
#include "reports/vantage_text.hpp"
#include "reports/xml_text.hpp"

namespace relayaudit {
namespace {

using nlohmann::json;

// The final OASIS schema of SARIF 2.1.0, which GitHub's upload checks for (GH1013).
constexpr const char* kSarifSchemaUri =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

// Results per level, most severe first: 0 error, 1 warning, 2 note.
using LevelCounts = std::array<std::size_t, 3>;

std::size_t level_slot(const json& result) {
  const std::string level = result.at("level").get<std::string>();
  return level == "error" ? 0 : level == "warning" ? 1 : 2;
}

// How many results of each level fit under kSarifMaxResults, the most severe first.
LevelCounts level_quotas(const LevelCounts& found) {
  LevelCounts quota{};
  std::size_t room = kSarifMaxResults;
  for (std::size_t slot = 0; slot < found.size(); ++slot) {
    quota[slot] = std::min(found[slot], room);
    room -= quota[slot];
  }
  return quota;
}

// One result as one line inside the log: a fleet's log stays a fraction of its pretty-printed
// size, and grep finds an endpoint's alerts.
std::string result_line(const json& value) {
  return "        " + value.dump(-1, ' ', false, json::error_handler_t::replace);
}

json sarif_notification(const std::string& id, const std::string& level, const std::string& text) {
  return {{"level", level}, {"descriptor", {{"id", id}}}, {"message", {{"text", text}}}};
}

}  // namespace

bool write_sarif(const json& results, const EndpointSource& endpoints, const ChunkSink& sink) {
  json rules = json::array();
  std::map<std::string, std::size_t> rule_index;
  for (auto& [id, facts] : collect_sarif_rules(results, endpoints)) {
    rule_index[id] = rules.size();
    rules.push_back(make_sarif_rule(id, std::move(facts)));
  }
  // A first pass counts the results per level: past GitHub's cap the least severe are left out.
  LevelCounts found{};
  for (std::size_t i = 0; i < endpoints.size(); ++i) {
    endpoints.visit(i, [&](const json& endpoint) {
      for (const json& result : sarif_endpoint_results(results, endpoint, rule_index)) {
        ++found[level_slot(result)];
      }
    });
  }
  const LevelCounts quota = level_quotas(found);
  const std::size_t left_out = found[0] + found[1] + found[2] - (quota[0] + quota[1] + quota[2]);

  const std::string version = visible_text_of(results.at("tool").at("version"));
  json driver = {{"name", "relayaudit"},
                 {"version", version},
                 {"informationUri", std::string(kProjectHome)},
                 {"rules", rules}};
  if (!version.empty() && version.front() >= '0' && version.front() <= '9') {
    driver["semanticVersion"] = version;
  }
  const json summary = results.at("summary");
  json invocation = {{"executionSuccessful", results.at("complete").get<bool>()},
                     {"startTimeUtc", results.at("started_at")},
                     {"endTimeUtc", results.at("finished_at")},
                     {"properties", {{"vantage", vantage_json(results)}}}};
  json notifications = json::array();
  if (!results.at("complete").get<bool>()) {
    // A viewer shows no alert for an endpoint that was never audited; this says why.
    notifications.push_back(
        sarif_notification("scan-incomplete", "error",
                           "The scan was interrupted: " + std::to_string(endpoints.size()) +
                               " endpoint(s) finished; endpoints not listed were not audited."));
  }
  if (left_out > 0) {
    notifications.push_back(
        sarif_notification("results-capped", "warning",
                           std::to_string(left_out) +
                               " result(s) of the lowest levels were left out: GitHub code "
                               "scanning takes " +
                               std::to_string(kSarifMaxResults) +
                               " results per run. The JSON results hold every finding."));
  }
  if (!notifications.empty()) invocation["toolExecutionNotifications"] = notifications;
  json log = {
      {"$schema", kSarifSchemaUri},
      {"version", "2.1.0"},
      {"runs", json::array({{
                   {"tool", {{"driver", driver}}},
                   {"invocations", json::array({invocation})},
                   {"results", json::array()},
                   {"properties",
                    {{"verdict", summary.at("verdict")},
                     {"complete", results.at("complete")},
                     {"summary", summary},
                     {"resultsLeftOut", left_out}}},
               }})},
  };
  // The results go where the empty array is, one endpoint's alerts at a time.
  const std::string frame = log.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
  const std::string placeholder = "\"results\": []";
  const auto split = frame.find(placeholder);
  if (!sink(std::string_view(frame).substr(0, split)) || !sink("\"results\": [")) return false;
  bool first = true;
  bool written = true;
  LevelCounts emitted{};
  for (std::size_t i = 0; i < endpoints.size() && written; ++i) {
    endpoints.visit(i, [&](const json& endpoint) {
      for (const json& result : sarif_endpoint_results(results, endpoint, rule_index)) {
        const std::size_t slot = level_slot(result);
        if (emitted[slot] == quota[slot]) continue;
        ++emitted[slot];
        written = written && sink(first ? "\n" : ",\n") && sink(result_line(result));
        first = false;
      }
    });
  }
  return written && sink(first ? "]" : "\n      ]") &&
         sink(std::string_view(frame).substr(split + placeholder.size()));
}

std::string render_sarif(const json& results) {
  (void)results.at("endpoints");  // a document without endpoints is incomplete, not empty
  std::string out;
  write_sarif(results, DocumentEndpoints(results), [&out](std::string_view chunk) {
    out.append(chunk);
    return true;
  });
  return out;
}

}  // namespace relayaudit
