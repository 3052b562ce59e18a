// Script facts for the results document, from the plan or from the tests that ran.
#include "reports/script_catalog.hpp"

#include "relaytests/script_library.hpp"
#include "reports/safe_text.hpp"

namespace relayaudit {
namespace {

using nlohmann::json;

json safe_list(const std::vector<std::string>& items) {
  json out = json::array();
  for (const auto& item : items) out.push_back(escape_invalid_utf8(item));
  return out;
}

json facts_json(const std::string& title, ScriptKind kind, ScriptTrick trick,
                const std::string& severity, const std::vector<std::string>& tags,
                Expectation expect) {
  return {
      {"title", escape_invalid_utf8(title)},
      {"kind", to_string(kind)},
      {"trick", to_string(trick)},
      {"severity", escape_invalid_utf8(severity)},
      {"tags", safe_list(tags)},
      {"expect", to_string(expect)},
  };
}

json script_json(const RelayScript& script) {
  json out = facts_json(script.title, script.kind, script.trick, script.severity, script.tags,
                        script.expect);
  if (!script.source.empty()) out["source"] = escape_invalid_utf8(script.source);
  if (!script.sha256.empty()) out["sha256"] = script.sha256;
  return out;
}

}  // namespace

json scripts_json(const std::vector<RelayScript>& plan) {
  json out = json::object();
  for (const RelayScript& script : plan) out[escape_invalid_utf8(script.id)] = script_json(script);
  return out;
}

json scripts_json(const ScanResult& result, const RunProvenance* run) {
  json out = json::object();
  for (const EndpointResult& endpoint : result.endpoints) {
    for (const TestResult& test : endpoint.tests) {
      const std::string id = escape_invalid_utf8(test.id);
      if (out.contains(id)) continue;
      out[id] =
          facts_json(test.title, test.kind, test.trick, test.severity, test.tags, test.expect);
    }
  }
  for (const std::string& id : result.scripts) {
    if (out.contains(escape_invalid_utf8(id))) continue;
    for (const RelayScript& script : builtin_scripts()) {
      if (script.id == id) out[escape_invalid_utf8(id)] = script_json(script);
    }
  }
  if (run == nullptr) return out;
  for (const ScriptProvenance& script : run->scripts) {
    const auto entry = out.find(escape_invalid_utf8(script.id));
    if (entry == out.end()) continue;
    (*entry)["source"] = escape_invalid_utf8(script.source);
    (*entry)["sha256"] = script.sha256;
  }
  return out;
}

}  // namespace relayaudit
