// The relay-script library: built-in scripts compiled into the binary, user directories, selection.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "relaytests/relay_script.hpp"

namespace relayaudit {

struct ScriptError {
  std::string source;  // file path or "builtin:core/x.json"
  std::string field;   // JSON pointer of the bad field ("/rcpt_to/1"), empty for the whole file
  std::string message;
  std::size_t line = 0;           // for JSON syntax errors: the line in the file, else 0
  std::string to_string() const;  // "dir/x.json: /rcpt_to/1: unknown placeholder {foo}"
};

// Parses and validates one script (required fields, types, id syntax, known placeholders); every
// error in the file, in field order, each naming its JSON pointer.
std::variant<RelayScript, std::vector<ScriptError>> parse_script_every_error(
    std::string_view json_text, std::string_view source);

// The same, reporting only the first error.
std::variant<RelayScript, ScriptError> parse_script(std::string_view json_text,
                                                    std::string_view source);

struct ScriptSet {
  std::vector<RelayScript> scripts;
  std::vector<ScriptError> errors;
};

// The scripts shipped in relaytests/, embedded at build time, sorted by id.
const std::vector<RelayScript>& builtin_scripts();

// The built-in script with this id, or null (a user's own script, or an unknown id).
const RelayScript* find_builtin_script(std::string_view id);

// A script is a page of JSON; anything near this size is a mistake or an attack.
inline constexpr std::size_t kMaxScriptBytes = 256 * 1024;

// Every *.json file in `dir` (not recursive), sorted by file name; each bad file is an error, and
// so is one that is not a regular file (FIFO, device) or is larger than kMaxScriptBytes; a file
// with several mistakes gives one error for each.
ScriptSet load_script_dir(const std::filesystem::path& dir);

// One script file, read like a file of load_script_dir: every error in it is reported.
ScriptSet load_script_file(const std::filesystem::path& file);

// Merges user scripts over the built-ins; a user id equal to a built-in one is an error.
ScriptSet merge_scripts(const std::vector<RelayScript>& builtin, ScriptSet user);

// Picks scripts whose id or any tag is in `selectors` (all when empty). An unknown selector is
// an error naming it.
std::variant<std::vector<RelayScript>, std::string> select_scripts(
    const std::vector<RelayScript>& scripts, const std::vector<std::string>& selectors);

}  // namespace relayaudit
