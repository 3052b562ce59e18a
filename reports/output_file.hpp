// Writing an output (results, a report) to whatever its path names, without destroying it.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "reports/atomic_file.hpp"

namespace relayaudit {

// Writes `content` where `path` says (reports/output_path.hpp):
// - a regular file or a new name is replaced atomically, after removing the temporary files
//   that crashed writes of that same file left behind (reports/stale_temp_files.hpp);
// - a symlink is followed: its final target is replaced atomically and the link stays;
// - a character or block device or a FIFO is opened for writing and written in place, never
//   renamed over (a FIFO's open waits for its reader);
// - "-" is standard output.
// A directory or a socket is refused. Returns an error message naming `path`, or nullopt.
std::optional<std::string> write_output_file(const std::string& path, std::string_view content);

// The same, with the content fed piece by piece by `produce`.
std::optional<std::string> write_output_file(const std::string& path,
                                             const std::function<bool(const ChunkSink&)>& produce);

}  // namespace relayaudit
