// The SARIF results of one endpoint: at most one per endpoint-level rule (sarif_rules.hpp).
#pragma once

#include <cstddef>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

namespace relayaudit {

// An endpoint's results, each located at the endpoint and fingerprinted by endpoint and rule:
// - open-relay (error) when its verdict is open-relay, else open-relay-unproven (warning) when
//   relay attempts were accepted anyway: one alert naming every accepted attempt;
// - tls-findings: its TLS findings, at the level of the worst;
// - mx-refuses-domain-mail: the mail domains it serves and refuses (warning);
// - probe-findings: what the probes found (note).
// `rule_index` maps each rule id to its place in tool.driver.rules.
nlohmann::json sarif_endpoint_results(const nlohmann::json& results, const nlohmann::json& endpoint,
                                      const std::map<std::string, std::size_t>& rule_index);

}  // namespace relayaudit
