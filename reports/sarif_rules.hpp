// The rules (reportingDescriptors) of relayaudit's SARIF log: one per script and TLS finding id
// the document names, and the endpoint-level rules its results are grouped under.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "reports/endpoint_source.hpp"

namespace relayaudit {

// The rules results are filed under: one result per endpoint and rule at most, so the result
// count is bounded by the endpoints (sarif_report.cpp), not by endpoints x scripts.
inline constexpr const char* kSarifOpenRelayRule = "open-relay";
inline constexpr const char* kSarifRelayUnprovenRule = "open-relay-unproven";
inline constexpr const char* kSarifTlsRule = "tls-findings";
inline constexpr const char* kSarifProbeRule = "probe-findings";

// What the document says about a rule's script: its "scripts" entry, or a finding of its id.
struct SarifRuleFacts {
  std::string title;
  std::string severity;
  std::string kind;
  std::string source;
  nlohmann::json tags = nlohmann::json::array();
};

// Every rule id the log describes, with the facts the document gives: the grouping rules, each
// script of "scripts", and every test and finding id of the endpoints.
std::map<std::string, SarifRuleFacts> collect_sarif_rules(const nlohmann::json& results,
                                                          const EndpointSource& endpoints);

// The reportingDescriptor of `id`: name, descriptions, help as text and Markdown, helpUri, the
// default level and GitHub's security-severity from the severity.
nlohmann::json make_sarif_rule(const std::string& id, SarifRuleFacts facts);

// SARIF level of a severity: critical/high error, medium warning, low/info note.
std::string sarif_level(std::string_view severity);

}  // namespace relayaudit
