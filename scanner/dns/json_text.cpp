// Empty text as JSON null, for the DNS commands' JSON output.
#include "dns/json_text.hpp"

namespace relayaudit::dns_detail {

nlohmann::json optional_text(const std::string& text) {
  return text.empty() ? nlohmann::json(nullptr) : nlohmann::json(text);
}

}  // namespace relayaudit::dns_detail
