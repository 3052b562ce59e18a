// Script plan assembly shared by `scan` and `tests`.
#include "cli/script_plan.hpp"

#include "relaytests/script_library.hpp"

namespace relayaudit {

std::variant<std::vector<RelayScript>, std::string> load_script_plan(
    const std::vector<std::string>& tests_dirs, const std::vector<std::string>& selectors) {
  ScriptSet user;
  for (const auto& dir : tests_dirs) {
    ScriptSet loaded = load_script_dir(dir);
    for (auto& script : loaded.scripts) user.scripts.push_back(std::move(script));
    for (auto& error : loaded.errors) user.errors.push_back(std::move(error));
  }
  ScriptSet merged = merge_scripts(builtin_scripts(), std::move(user));
  if (!merged.errors.empty()) {
    std::string message = "invalid relay scripts:";
    for (const auto& error : merged.errors) message += "\n  " + error.to_string();
    return message;
  }
  return select_scripts(merged.scripts, selectors);
}

}  // namespace relayaudit
