// Which key of a --config file no option reads, said with its line and the key that was meant:
// CLI11 only says "INI was not able to parse scan.prot".
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>

namespace relayaudit {

// One `key = value` line of a TOML file: the key with the sections it sits in.
struct ConfigKeyLine {
  std::vector<std::string> sections;  // [scan] and dotted prefixes (scan.port): {"scan"}
  std::string key;
  std::size_t line = 0;
};

// Every key line of `text`, in file order. Lines inside multi-line arrays carry no bare key and
// are skipped.
std::vector<ConfigKeyLine> config_key_lines(std::string_view text);

// The first key of `text` that `app` would refuse, as "<line>: unknown key 'prot' in [scan] (did
// you mean 'port'?)" (or an unknown section, or a key in the wrong section); nullopt when
// every key is known.
std::optional<std::string> unknown_config_key(CLI::App& app, std::string_view text);

// The same for the file at `path`, as "<file>:<line>: ..." (terminal-safe); nullopt when every
// key is known or the file cannot be read again.
std::optional<std::string> unknown_config_key_in_file(CLI::App& app, const std::string& path);

}  // namespace relayaudit
