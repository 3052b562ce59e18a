// `relayaudit diff baseline.json current.json`: what changed since the baseline scan.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

namespace relayaudit {

struct DiffCommandOptions {
  std::string baseline;
  std::string current;
  bool json = false;                   // print the diff as JSON instead of text
  std::string fail_on = "open-relay";  // or "inconclusive": also fail when coverage got worse
};

void register_diff_command(CLI::App& app, DiffCommandOptions& options);

// 0 nothing got worse; 1 a new open relay or a newly accepted relay attempt; 3 (--fail-on
// inconclusive) an endpoint newly inconclusive or unreachable; 2 a file unreadable or invalid.
int run_diff_command(const DiffCommandOptions& options);

}  // namespace relayaudit
