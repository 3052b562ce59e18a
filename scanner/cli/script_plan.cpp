// Script plan assembly shared by `scan` and `tests`.
#include "cli/script_plan.hpp"

#include "relaytests/script_library.hpp"

namespace relayaudit {

std::variant<std::vector<RelayScript>, std::vector<std::string>> load_script_plan(
    const std::vector<std::string>& tests_dirs, const std::vector<std::string>& selectors) {
  ScriptSet user;
  for (const auto& dir : tests_dirs) {
    ScriptSet loaded = load_script_dir(dir);
    for (auto& script : loaded.scripts) user.scripts.push_back(std::move(script));
    for (auto& error : loaded.errors) user.errors.push_back(std::move(error));
  }
  ScriptSet merged = merge_scripts(builtin_scripts(), std::move(user));
  if (!merged.errors.empty()) {
    std::vector<std::string> messages;
    for (const auto& error : merged.errors) {
      messages.push_back("invalid relay script: " + error.to_string());
    }
    return messages;
  }
  auto selected = select_scripts(merged.scripts, selectors);
  if (auto* message = std::get_if<std::string>(&selected)) {
    return std::vector<std::string>{std::move(*message)};
  }
  return std::move(std::get<std::vector<RelayScript>>(selected));
}

}  // namespace relayaudit
