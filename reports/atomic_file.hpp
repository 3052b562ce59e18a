// Replacing a report file so readers see the old file or the new one, never half of either.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace relayaudit {

// Writes `content` to a new file next to `path`, fsyncs it, renames it over `path` and fsyncs the
// directory. Returns an error message naming `path` and the system error, or nullopt on success;
// on failure the temporary file is removed and any earlier `path` is left as it was.
std::optional<std::string> write_file_atomically(const std::filesystem::path& path,
                                                 std::string_view content);

// Writes every byte to `fd`, retrying short writes and EINTR; false on an error (errno says).
bool write_all(int fd, std::string_view content);

// Receives the file's content piece by piece; returns false when a write failed.
using ChunkSink = std::function<bool(std::string_view)>;

// The same, for content too large to hold at once: `produce` feeds it to the sink in pieces.
std::optional<std::string> write_file_atomically(
    const std::filesystem::path& path, const std::function<bool(const ChunkSink&)>& produce);

}  // namespace relayaudit
