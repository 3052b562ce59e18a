// Renders an endpoint's "vantages" as "<verdict> from <vantage>, ...".
#include "reports/vantage_verdicts.hpp"

namespace relayaudit {

std::string vantage_verdicts_text(const nlohmann::json& endpoint) {
  if (!endpoint.is_object()) return "";
  const auto vantages = endpoint.find("vantages");
  if (vantages == endpoint.end() || !vantages->is_array()) return "";
  std::string text;
  for (const auto& entry : *vantages) {
    if (!entry.is_object()) continue;
    const auto verdict = entry.find("verdict");
    const auto name = entry.find("name");
    if (verdict == entry.end() || !verdict->is_string() || name == entry.end() ||
        !name->is_string()) {
      continue;
    }
    if (!text.empty()) text += ", ";
    text += verdict->get<std::string>() + " from " + name->get<std::string>();
  }
  return text;
}

}  // namespace relayaudit
