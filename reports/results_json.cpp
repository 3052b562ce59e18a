// Builds and writes the results document (shape: reports/results.schema.json).
#include "reports/results_json.hpp"

#include <cstdio>
#include <ctime>

#include "reports/domain_results.hpp"
#include "reports/output_file.hpp"
#include "reports/safe_text.hpp"
#include "reports/script_catalog.hpp"
#include "reports/summary.hpp"
#include "reports/version.hpp"

namespace relayaudit {
namespace {

using nlohmann::json;

std::string safe(std::string_view text) {
  return escape_invalid_utf8(text, nullptr);
}

json safe_list(const std::vector<std::string>& items) {
  json out = json::array();
  for (const auto& item : items) out.push_back(safe(item));
  return out;
}

// The run options are the user's words, keys included, so they are escaped all the way down.
json safe_copy(const json& value) {
  if (value.is_string()) return safe(value.get_ref<const std::string&>());
  if (value.is_array()) {
    json out = json::array();
    for (const auto& item : value) out.push_back(safe_copy(item));
    return out;
  }
  if (value.is_object()) {
    json out = json::object();
    for (const auto& [key, item] : value.items()) out[safe(key)] = safe_copy(item);
    return out;
  }
  return value;
}

json summary_json(const ScanSummary& summary) {
  return {
      {"endpoints", summary.endpoints},
      {"open_relay", summary.open_relay},
      {"closed", summary.closed},
      {"inconclusive", summary.inconclusive},
      {"unreachable", summary.unreachable},
      {"unresolved", summary.unresolved},
      {"tests", summary.tests},
      {"tests_failed", summary.tests_failed},
      {"domains", summary.domains},
      {"dnsbl_listed", summary.dnsbl_listed},
      {"verdict", to_string(summary.verdict)},
  };
}

std::string dump_safely(const json& value, int indent) {
  return value.dump(indent, ' ', false, json::error_handler_t::replace);
}

}  // namespace

std::string format_timestamp(std::chrono::system_clock::time_point at) {
  // Qualified: a unity build puts report writers' own seconds() functions beside this one.
  const auto since_epoch = std::chrono::floor<std::chrono::milliseconds>(at.time_since_epoch());
  const auto whole = std::chrono::floor<std::chrono::seconds>(since_epoch);
  const auto millis = (since_epoch - whole).count();
  const std::time_t seconds_value = static_cast<std::time_t>(whole.count());
  std::tm utc{};
  if (gmtime_r(&seconds_value, &utc) == nullptr) return "1970-01-01T00:00:00.000Z";
  char text[64];
  std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900,
                utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
                static_cast<int>(millis));
  return text;
}

json results_header_json(const ScanResult& result, const RunProvenance* run, json scripts,
                         const std::vector<EndpointDigest>& endpoints) {
  json unresolved = json::array();
  for (const auto& problem : result.unresolved) {
    unresolved.push_back({
        {"target", safe(problem.target)},
        {"origin", safe(problem.origin)},
        {"status", to_string(problem.status)},
        {"message", safe(problem.message)},
    });
  }
  const auto duration =
      std::chrono::duration_cast<std::chrono::milliseconds>(result.finished - result.started);
  json header = {
      {"schema_version", kResultsSchemaVersion},
      {"tool", {{"name", "relayaudit"}, {"version", kToolVersion}}},
      {"started_at", format_timestamp(result.started)},
      {"finished_at", format_timestamp(result.finished)},
      {"duration_ms", duration.count()},
      {"complete", result.complete},
      {"options", result.options.is_null() ? json::object() : safe_copy(result.options)},
      {"scripts", std::move(scripts)},
      {"summary", summary_json(summarize(result, endpoints))},
      {"unresolved", std::move(unresolved)},
      {"dnsbl_zones", safe_list(result.dnsbl_zones)},
      {"domains", domains_json(result, endpoints)},
      {"endpoints", json::array()},
  };
  if (run != nullptr) header["run"] = run_provenance_json(*run);
  return header;
}

json results_header_json(const ScanResult& result, const RunProvenance* run) {
  return results_header_json(result, run, scripts_json(result, run), digests_of(result));
}

json results_to_json(const ScanResult& result, const RunProvenance* run) {
  json document = results_header_json(result, run);
  json& endpoints = document["endpoints"];
  for (const auto& endpoint : result.resumed_endpoints) endpoints.push_back(endpoint);
  for (const auto& endpoint : result.endpoints) endpoints.push_back(endpoint_to_json(endpoint));
  return document;
}

bool produce_results_text(const json& header, const EndpointLines& endpoints,
                          const ChunkSink& sink) {
  if (!header.contains("endpoints")) return sink(dump_safely(header, 2) + "\n");
  // The header is read by people; each endpoint stays one line, as in the JSONL stream.
  json without_endpoints = json::object();
  for (const auto& [key, value] : header.items()) {
    without_endpoints[key] = key == "endpoints" ? json::array() : value;
  }
  const std::string text = dump_safely(without_endpoints, 2) + "\n";
  // At the top level's indentation: a domain's own "endpoints": [] is nested deeper.
  const std::string placeholder = "\"endpoints\": []";
  const auto split = text.find("\n  " + placeholder) + 3;
  if (!sink(std::string_view(text).substr(0, split)) || !sink("\"endpoints\": [")) return false;
  bool first = true;
  const bool listed = endpoints([&](std::string_view endpoint) {
    const bool ok = sink(first ? "\n    " : ",\n    ") && sink(endpoint);
    first = false;
    return ok;
  });
  return listed && sink(first ? "]" : "\n  ]") &&
         sink(std::string_view(text).substr(split + placeholder.size()));
}

std::string results_to_string(const json& document) {
  std::string out;
  const auto endpoints = document.find("endpoints");
  produce_results_text(
      document,
      [&](const auto& line) {
        if (endpoints == document.end() || !endpoints->is_array()) return true;
        for (const auto& endpoint : *endpoints) {
          if (!line(endpoint_line(endpoint))) return false;
        }
        return true;
      },
      [&out](std::string_view chunk) {
        out.append(chunk);
        return true;
      });
  return out;
}

std::optional<std::string> write_results_file(const std::filesystem::path& path, const json& header,
                                              const EndpointLines& endpoints) {
  return write_output_file(path.string(), [&](const ChunkSink& sink) {
    return produce_results_text(header, endpoints, sink);
  });
}

std::optional<std::string> write_results_file(const std::filesystem::path& path,
                                              const json& document) {
  return write_output_file(path.string(), results_to_string(document));
}

std::optional<std::string> write_results_file(const std::filesystem::path& path,
                                              const ScanResult& result, const RunProvenance* run) {
  // One endpoint's JSON at a time: a whole large scan as one DOM costs several times its size.
  return write_results_file(path, results_header_json(result, run), [&](const auto& line) {
    for (const auto& endpoint : result.resumed_endpoints) {
      if (!line(endpoint_line(endpoint))) return false;
    }
    for (const auto& endpoint : result.endpoints) {
      if (!line(endpoint_text(endpoint))) return false;
    }
    return true;
  });
}

}  // namespace relayaudit
