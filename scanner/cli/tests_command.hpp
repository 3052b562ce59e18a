// `relayaudit tests list|show`: what the relay-script library holds.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace relayaudit {

struct TestsCommandOptions {
  std::string show_id;
  std::string validate_path;  // a directory of scripts or one file
  std::vector<std::string> tests_dirs;
};

CLI::App* register_tests_command(CLI::App& app, TestsCommandOptions& options);
int run_tests_command(const CLI::App& tests_app, const TestsCommandOptions& options);

}  // namespace relayaudit
