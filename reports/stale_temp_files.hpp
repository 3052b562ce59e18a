// Temporary files that a crashed atomic write of an output left behind.
#pragma once

#include <filesystem>
#include <string>

namespace relayaudit {

// The name prefix of the temporary files written next to `path` while it is replaced:
// ".<file name>.tmp." followed by "<pid>.<counter>.<random>".
std::string temp_file_prefix(const std::filesystem::path& path);

// Removes the temporary files of `path` (same directory, same prefix) whose writer process no
// longer exists: kill(pid, 0) fails with ESRCH. A file whose PID is alive, or whose name does
// not parse, is never touched. Best effort: returns how many were removed.
int remove_stale_temp_files(const std::filesystem::path& path);

}  // namespace relayaudit
