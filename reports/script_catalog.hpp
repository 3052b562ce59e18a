// The results document's "scripts" object: what every script in the plan is, written once per
// document instead of in every test of every endpoint.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "relaytests/relay_script.hpp"
#include "reports/run_provenance.hpp"
#include "results/audit_result.hpp"

namespace relayaudit {

// Script id -> {"title", "kind", "trick", "severity", "tags", "expect", and, when the scan
// recorded them, "source" and "sha256"}; every string is made valid UTF-8.
nlohmann::json scripts_json(const std::vector<RelayScript>& plan);

// The same for a result built without its plan at hand (tests, tools): facts from the tests that
// ran each script, else from the built-in library for an id nobody ran; source and hash from
// `run` when given.
nlohmann::json scripts_json(const ScanResult& result, const RunProvenance* run);

}  // namespace relayaudit
