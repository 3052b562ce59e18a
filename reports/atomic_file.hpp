// Replacing a report file so readers see the old file or the new one, never half of either.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace relayaudit {

// Writes `content` to a new file next to `path`, fsyncs it, renames it over `path` and fsyncs the
// directory. Returns an error message naming `path` and the system error, or nullopt on success;
// on failure the temporary file is removed and any earlier `path` is left as it was.
std::optional<std::string> write_file_atomically(const std::filesystem::path& path,
                                                 std::string_view content);

}  // namespace relayaudit
