// `relayaudit lab`: serve the simulated gateways on loopback until interrupted.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace relayaudit {

struct LabCommandOptions {
  std::vector<std::string> profiles;  // empty: the default fleet
  std::size_t count = 0;              // > 0: a benchmark fleet of this many gateways
  std::string bind = "127.0.0.1";
  int base_port = 0;  // > 0: gateway i listens on base_port + i, so two lab runs can be diffed
  std::string endpoints_file;  // write one target per line for `scan -f`
  std::string greylist_window = "1s";
  int error_limit = 10;
  std::string latency = "0";  // a bare number is milliseconds here, a round trip
  std::string tarpit_delay = "5s";
  std::string greet_wait = "2s";
  int connection_limit = 2;
  int soft_error_limit = 3;
  std::string error_sleep = "1s";
  int hard_error_limit = 5;
};

void register_lab_command(CLI::App& app, LabCommandOptions& options);
int run_lab_command(const LabCommandOptions& options);

}  // namespace relayaudit
