// Streams results documents through nlohmann's callback parser: endpoints are seen one by one
// and dropped from the tree as soon as they are read.
#include "reports/results_merge_reader.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "core/json_input.hpp"
#include "reports/safe_text.hpp"

namespace relayaudit {
namespace {

using nlohmann::json;

// Thrown out of the parser callback: the document nests deeper than any relayaudit writes.
struct MergeNestingTooDeep {};

// Runs the parser over `file`, passing each top-level "endpoints" element to `endpoint` and
// dropping it; returns the rest of the document, or why not.
std::variant<json, std::string> parse_dropping_endpoints(
    const std::string& file, const std::function<void(std::size_t, json&)>& endpoint) {
  const std::string name = terminal_safe(file);
  std::error_code ignored;
  if (std::filesystem::is_directory(file, ignored)) return name + ": cannot read: a directory";
  std::ifstream in(file, std::ios::binary);
  if (!in) return name + ": cannot read: " + std::strerror(errno);
  bool in_endpoints = false;
  std::size_t index = 0;
  const json::parser_callback_t callback = [&](int depth, json::parse_event_t event, json& parsed) {
    if (depth > kMaxJsonNesting) throw MergeNestingTooDeep{};
    if (depth == 1 && event == json::parse_event_t::key) {
      in_endpoints = parsed == "endpoints";
    } else if (in_endpoints && depth == 2 && event == json::parse_event_t::value) {
      endpoint(index++, parsed);  // a scalar where an endpoint belongs: its checks refuse it
      return false;
    } else if (in_endpoints && depth == 2 && event == json::parse_event_t::object_end) {
      endpoint(index++, parsed);
      return false;
    }
    return true;
  };
  try {
    json document = json::parse(in, callback);
    if (in.bad()) return name + ": cannot read: " + std::strerror(errno);
    return document;
  } catch (const MergeNestingTooDeep&) {
    return name + ": nested deeper than " + std::to_string(kMaxJsonNesting) + " levels";
  } catch (const json::exception& error) {
    std::string message = error.what();
    const auto end = message.find("] ");
    if (end != std::string::npos) message = message.substr(end + 2);
    return name + ": " + terminal_safe(message);
  }
}

}  // namespace

json merge_endpoint_facts(const json& endpoint) {
  if (!endpoint.is_object()) return endpoint;
  json facts = json::object();
  for (const char* key : {"endpoint", "verdict", "verdict_reason"}) {
    if (endpoint.contains(key)) facts[key] = endpoint[key];
  }
  json failing = json::array();
  std::size_t total = 0;
  const auto tests = endpoint.find("tests");
  if (tests != endpoint.end() && tests->is_array()) {
    total = tests->size();
    for (const json& test : *tests) {
      if (test.is_object() && test.value("verdict", json()) == "fail" && test.contains("id")) {
        failing.push_back(test["id"]);
      }
    }
  }
  bool listed = false;
  const auto dnsbl = endpoint.find("dnsbl");
  if (dnsbl != endpoint.end() && dnsbl->is_array()) {
    for (const json& listing : *dnsbl) {
      listed = listed || (listing.is_object() && listing.value("status", json()) == "listed");
    }
  }
  json domain_findings = json::array();
  const auto findings = endpoint.find("findings");
  if (findings != endpoint.end() && findings->is_array()) {
    for (const json& finding : *findings) {
      if (finding.is_object() && finding.value("domain", json()).is_string()) {
        domain_findings.push_back(finding);
      }
    }
  }
  facts["tests_total"] = total;
  facts["failing"] = std::move(failing);
  facts["dnsbl_listed"] = listed;
  facts["domain_findings"] = std::move(domain_findings);
  return facts;
}

json merge_facts_document(json document) {
  if (document.is_object() && document.contains("endpoints") && document["endpoints"].is_array()) {
    for (json& endpoint : document["endpoints"]) endpoint = merge_endpoint_facts(endpoint);
  }
  return document;
}

std::variant<json, std::string> read_merge_facts(const std::string& file) {
  json endpoints = json::array();
  auto document = parse_dropping_endpoints(file, [&](std::size_t, json& endpoint) {
    endpoints.push_back(merge_endpoint_facts(endpoint));
  });
  auto* parsed = std::get_if<json>(&document);
  if (parsed != nullptr && parsed->is_object() && parsed->contains("endpoints") &&
      (*parsed)["endpoints"].is_array()) {
    (*parsed)["endpoints"] = std::move(endpoints);
  }
  return document;
}

std::optional<std::string> for_each_merge_endpoint(
    const std::string& file, const std::function<bool(std::size_t, json&)>& each) {
  bool stopped = false;
  auto document = parse_dropping_endpoints(file, [&](std::size_t index, json& endpoint) {
    if (!stopped) stopped = !each(index, endpoint);
  });
  if (auto* problem = std::get_if<std::string>(&document)) return *problem;
  return std::nullopt;
}

}  // namespace relayaudit
