// Loads the script library (built-ins plus --tests-dir) and picks the plan (--tests).
#pragma once

#include <string>
#include <variant>
#include <vector>

#include "relaytests/relay_script.hpp"

namespace relayaudit {

// The chosen scripts, or every error, one message each ("dir/x.json: /id: ...").
std::variant<std::vector<RelayScript>, std::vector<std::string>> load_script_plan(
    const std::vector<std::string>& tests_dirs, const std::vector<std::string>& selectors);

}  // namespace relayaudit
