// Reads results documents for `relayaudit merge` one endpoint at a time, so a merge of large
// shards holds their headers and a few facts per endpoint, never a whole document tree.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <variant>

#include <nlohmann/json.hpp>

namespace relayaudit {

// What merge keeps of an endpoint: "endpoint", "verdict", "verdict_reason", "tests_total",
// "failing" (ids of failed tests), "dnsbl_listed", "domain_findings".
nlohmann::json merge_endpoint_facts(const nlohmann::json& endpoint);

// The same document with each endpoint replaced by its facts (for documents already in memory).
nlohmann::json merge_facts_document(nlohmann::json document);

// Parses `file` as a results document, keeping its header and each endpoint's facts. The error
// names the file and the byte where the JSON is wrong (nesting past kMaxJsonNesting included).
std::variant<nlohmann::json, std::string> read_merge_facts(const std::string& file);

// Calls `each` with every endpoint of `file` in document order (index from 0), whole; `each`
// returning false stops. Returns why the file could not be read, or nullopt.
std::optional<std::string> for_each_merge_endpoint(
    const std::string& file, const std::function<bool(std::size_t index, nlohmann::json&)>& each);

}  // namespace relayaudit
