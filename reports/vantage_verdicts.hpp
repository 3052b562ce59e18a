// An endpoint's verdict per vantage ("vantages", written by `merge --by-vantage`) as one phrase
// the reports show beside its verdict.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace relayaudit {

// "open-relay from branch-office, closed from internet", in the order the vantages were merged;
// "" when the endpoint has no "vantages". Not escaped: each report escapes it for its format.
std::string vantage_verdicts_text(const nlohmann::json& endpoint);

}  // namespace relayaudit
