// Reading an input file whole, but only a regular file and only up to a size limit: a FIFO must
// not hang the program and /dev/zero must not fill its memory.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <variant>

namespace relayaudit {

// Why a file was not read: "not a regular file (a FIFO)", "larger than 262144 bytes", strerror.
struct FileReadError {
  std::string reason;
};

// The whole content of `path` if it is a regular file (after symlinks) of at most `max_bytes`.
std::variant<std::string, FileReadError> read_bounded_regular_file(
    const std::filesystem::path& path, std::size_t max_bytes);

// "1 MiB", "256 KiB", "4096 bytes": limits as people read them.
std::string byte_size_text(std::size_t bytes);

}  // namespace relayaudit
