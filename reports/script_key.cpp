// Test keys within an endpoint.
#include "reports/script_key.hpp"

#include <set>

namespace relayaudit {
namespace {

std::string string_member(const nlohmann::json& object, const char* key) {
  if (!object.is_object()) return "";
  const auto found = object.find(key);
  return found != object.end() && found->is_string() ? found->get<std::string>() : "";
}

}  // namespace

bool has_tls_path(const nlohmann::json& tests) {
  if (!tests.is_array()) return false;
  for (const auto& test : tests) {
    if (string_member(test, "path") == "tls") return true;
  }
  return false;
}

std::string script_key(const nlohmann::json& test, bool tls_path_too) {
  const std::string id = string_member(test, "id");
  return tls_path_too && string_member(test, "path") == "plain" ? id + " (plaintext)" : id;
}

std::optional<std::string> repeated_script(const nlohmann::json& tests) {
  if (!tests.is_array()) return std::nullopt;
  const bool tls_path_too = has_tls_path(tests);
  std::set<std::string> seen;
  for (std::size_t t = 0; t < tests.size(); ++t) {
    const std::string key = script_key(tests[t], tls_path_too);
    if (!seen.insert(key).second) {
      return "/tests/" + std::to_string(t) + ": script " + key + " appears twice";
    }
  }
  return std::nullopt;
}

}  // namespace relayaudit
