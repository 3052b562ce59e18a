// The vantage a results document's audit ran from (run.vantage), as the reports show it.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace relayaudit {

// "direct (the scanner's own address)", "xclient as client 203.0.113.7"; "not recorded" for a
// document written before run.vantage existed.
std::string vantage_text(const nlohmann::json& document);

// run.vantage as recorded, or null.
nlohmann::json vantage_json(const nlohmann::json& document);

}  // namespace relayaudit
