// `relayaudit tests list|show`: what the relay-script library holds.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

namespace relayaudit {

struct TestsCommandOptions {
  std::string show_id;
  std::string validate_dir;
  std::vector<std::string> tests_dirs;
};

CLI::App* register_tests_command(CLI::App& app, TestsCommandOptions& options);
int run_tests_command(const CLI::App& tests_app, const TestsCommandOptions& options);

}  // namespace relayaudit
