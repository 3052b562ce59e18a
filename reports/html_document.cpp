// Tolerant reads of the results document for the HTML report.
#include "reports/html_document.hpp"

namespace relayaudit::html {

const json kAbsent;

const json& at(const json& object, std::string_view key) {
  if (!object.is_object()) return kAbsent;
  const auto found = object.find(key);
  return found == object.end() ? kAbsent : *found;
}

const json& list(const json& object, std::string_view key) {
  static const json kEmpty = json::array();
  const json& value = at(object, key);
  return value.is_array() ? value : kEmpty;
}

// Scalars as the document wrote them; "" for null, objects and arrays.
std::string scalar(const json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_number() || value.is_boolean()) return value.dump();
  return "";
}

std::string text(const json& object, std::string_view key) {
  return scalar(at(object, key));
}

long long number(const json& value) {
  return value.is_number() ? value.get<long long>() : 0;
}

std::string shown(const std::string& value) {
  return value.empty() ? std::string(kNotRecorded) : html_text(value);
}

std::size_t endpoint_rank(const std::string& verdict) {
  for (std::size_t i = 0; i < std::size(kEndpointVerdicts); ++i) {
    if (kEndpointVerdicts[i].verdict == verdict) return i;
  }
  return std::size(kEndpointVerdicts);
}

}  // namespace relayaudit::html
