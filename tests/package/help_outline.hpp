// What `relayaudit [SUBCOMMAND...] --help` lists, read from the help text itself: the reference
// the generated man page and completion scripts are checked against.
#pragma once

#include <string>
#include <vector>

namespace relayaudit::testing {

struct HelpOutline {
  std::vector<std::string> path;         // {"tests", "show"}; empty for relayaudit itself
  std::vector<std::string> options;      // every name: "-p", "--port", "--help", ...
  std::vector<std::string> positionals;  // "targets", "results", ...
  std::vector<std::string> subcommands;  // "scan", "lab", ...
};

// Runs the binary with `path` and --help and reads the Options, Positionals and Subcommands
// sections; throws when the help cannot be run.
HelpOutline help_outline(const std::string& binary, const std::vector<std::string>& path);

// The outline of relayaudit and of every subcommand below it, depth first.
std::vector<HelpOutline> every_help_outline(const std::string& binary);

// "relayaudit tests show"
std::string command_name(const HelpOutline& outline);

}  // namespace relayaudit::testing
