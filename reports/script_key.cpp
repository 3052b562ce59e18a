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

TestKeyContext test_key_context(const nlohmann::json& tests) {
  TestKeyContext context;
  if (!tests.is_array()) return context;
  for (const auto& test : tests) {
    if (string_member(test, "path") == "tls") context.tls_path_too = true;
    if (context.first_domain.empty()) context.first_domain = string_member(test, "mail_domain");
  }
  return context;
}

std::string script_key(const nlohmann::json& test, const TestKeyContext& context) {
  std::string key = string_member(test, "id");
  if (context.tls_path_too && string_member(test, "path") == "plain") key += " (plaintext)";
  // One MX of several scanned domains runs the postmaster control once per domain.
  const std::string domain = string_member(test, "mail_domain");
  if (!domain.empty() && domain != context.first_domain) key += " for " + domain;
  return key;
}

std::optional<std::string> repeated_script(const nlohmann::json& tests) {
  if (!tests.is_array()) return std::nullopt;
  const TestKeyContext context = test_key_context(tests);
  std::set<std::string> seen;
  for (std::size_t t = 0; t < tests.size(); ++t) {
    const std::string key = script_key(tests[t], context);
    if (!seen.insert(key).second) {
      return "/tests/" + std::to_string(t) + ": script " + key + " appears twice";
    }
  }
  return std::nullopt;
}

}  // namespace relayaudit
