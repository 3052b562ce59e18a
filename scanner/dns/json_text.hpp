// Text fields of the mx and dnsbl JSON output, where an empty text is written as null.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace relayaudit::dns_detail {

// null for "", else the text.
nlohmann::json optional_text(const std::string& text);

}  // namespace relayaudit::dns_detail
