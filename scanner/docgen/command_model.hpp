// A plain description of relayaudit's command line, read from the CLI11 app that main parses
// with: the one source the man page and the completion scripts are written from.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace relayaudit::docgen {

// What a shell can offer for an option's value or a positional argument.
enum class ValueKind {
  none,        // a flag: no value
  choices,     // one of `choices` (CLI::IsMember)
  script_ids,  // relay-script ids or tags, comma-separated
  file,        // a path (any text value: files are the useful guess)
  free,        // a number or other value nothing can be offered for
};

struct OptionDoc {
  std::vector<std::string> names;  // "-p", "--port"; a positional: its name alone
  bool positional = false;
  bool required = false;
  bool repeatable = false;  // a list option or a positional that takes many values
  ValueKind kind = ValueKind::none;
  std::string value_name;  // as --help shows it: "INT", "TEXT:{auto,both,never}"
  std::vector<std::string> choices;
  std::string description;
  std::string default_value;  // "" when --help shows none
  bool takes_value() const { return kind != ValueKind::none; }
};

struct CommandDoc {
  std::vector<std::string> path;  // {"tests", "show"}; empty for relayaudit itself
  std::string name;               // the last word of the path, or "relayaudit"
  std::string description;
  std::string footer;  // exit codes and notes, as --help prints them
  std::vector<OptionDoc> options;
  std::vector<OptionDoc> positionals;
  std::vector<CommandDoc> subcommands;
  std::string full_name() const;  // "relayaudit tests show"
};

// Every subcommand, option and positional of `app` that --help shows (hidden ones left out).
CommandDoc describe_command_line(const CLI::App& app);

}  // namespace relayaudit::docgen
