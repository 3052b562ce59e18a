// Where a report or results file really goes: a file to replace, a device or FIFO to write in
// place, or standard output; and which paths must be refused before a scan starts.
#pragma once

#include <filesystem>
#include <string>
#include <variant>

namespace relayaudit {

// How an output path is written.
enum class OutputKind {
  replace_file,     // absent or a regular file: replaced atomically (temp file + rename)
  write_in_place,   // a character or block device or a FIFO: opened and written, never renamed
  standard_output,  // "-": written to file descriptor 1
};

struct OutputTarget {
  OutputKind kind = OutputKind::replace_file;
  // The file actually written: for a symlink, its final target (so the link survives and the
  // temp file lands in the target's directory); otherwise the path as given.
  std::filesystem::path path;
};

// "-" names standard output.
bool names_standard_output(const std::string& path);

// Classifies `path`, following symlinks. A directory, a socket, a symlink loop or a path that
// cannot be examined is an error naming `path` and why it cannot be written.
std::variant<OutputTarget, std::string> resolve_output_path(const std::string& path);

}  // namespace relayaudit
