// Reads run.vantage once for every report format.
#include "reports/vantage_text.hpp"

#include "reports/safe_text.hpp"

namespace relayaudit {

nlohmann::json vantage_json(const nlohmann::json& document) {
  if (!document.is_object() || !document.contains("run") || !document["run"].is_object()) {
    return nullptr;
  }
  const nlohmann::json& run = document["run"];
  if (!run.contains("vantage") || !run["vantage"].is_object()) return nullptr;
  return run["vantage"];
}

std::string vantage_text(const nlohmann::json& document) {
  const nlohmann::json vantage = vantage_json(document);
  if (vantage.is_null() || !vantage.value("mode", nlohmann::json()).is_string()) {
    return "not recorded";
  }
  const std::string mode = vantage["mode"].get<std::string>();
  const nlohmann::json client = vantage.value("client", nlohmann::json());
  if (mode == "direct" || !client.is_string()) {
    return mode == "direct" ? "direct (the scanner's own address)" : escape_invalid_utf8(mode);
  }
  return escape_invalid_utf8(mode) + " as client " + escape_invalid_utf8(client.get<std::string>());
}

}  // namespace relayaudit
