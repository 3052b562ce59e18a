// Bounds on the --config file, checked before CLI11 parses it: CLI11's TOML reader needs memory
// out of all proportion to deeply nested arrays (60 KB took 892 MB; 200 KB died of bad_alloc).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace relayaudit {

inline constexpr std::size_t kMaxConfigBytes = 1024 * 1024;
// A [scan] section needs 2 levels (a list value inside the section header's brackets at most).
inline constexpr int kMaxConfigNesting = 32;

// Every file named by `--config FILE` or `--config=FILE` in the arguments.
std::vector<std::string> config_files_in(int argc, const char* const* argv);

// What makes TOML text unsafe to parse, as "<line>: <why>"; nullopt when it is within bounds.
std::optional<std::string> config_text_problem(std::string_view text);

// The same for a file, as "<file>:<line>: <why>" or "<file>: <why>" (not a regular file, larger
// than kMaxConfigBytes, unreadable). File names are terminal-safe.
std::optional<std::string> config_file_problem(const std::string& path);

}  // namespace relayaudit
