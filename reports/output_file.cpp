// Dispatch of an output write: atomic replacement, in-place write, or standard output.
#include "reports/output_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <variant>

#include "reports/atomic_file.hpp"
#include "reports/output_path.hpp"
#include "reports/stale_temp_files.hpp"

namespace relayaudit {
namespace {

std::string failure(const std::string& path, std::string_view step, int error) {
  return "cannot write " + path + ": " + std::string(step) + ": " + std::strerror(error);
}

// Streams to an already open descriptor; no fsync: a pipe or device has nothing to make durable.
std::optional<std::string> write_stream(int fd, const std::string& path,
                                        const std::function<bool(const ChunkSink&)>& produce) {
  if (!produce([fd](std::string_view chunk) { return write_all(fd, chunk); })) {
    return failure(path, "write", errno);
  }
  return std::nullopt;
}

// No O_CREAT and no O_TRUNC: the node is there and stays what it is.
std::optional<std::string> write_in_place(const std::filesystem::path& node,
                                          const std::string& path,
                                          const std::function<bool(const ChunkSink&)>& produce) {
  int fd = -1;
  do {
    fd = ::open(node.c_str(), O_WRONLY | O_NOCTTY | O_CLOEXEC);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) return failure(path, "open", errno);
  auto error = write_stream(fd, path, produce);
  if (::close(fd) != 0 && !error && errno != EINTR) error = failure(path, "close", errno);
  return error;
}

}  // namespace

std::optional<std::string> write_output_file(const std::string& path, std::string_view content) {
  return write_output_file(path, [content](const ChunkSink& sink) { return sink(content); });
}

std::optional<std::string> write_output_file(const std::string& path,
                                             const std::function<bool(const ChunkSink&)>& produce) {
  auto resolved = resolve_output_path(path);
  if (auto* error = std::get_if<std::string>(&resolved)) return *error;
  const OutputTarget& target = std::get<OutputTarget>(resolved);
  switch (target.kind) {
    case OutputKind::standard_output:
      return write_stream(STDOUT_FILENO, "standard output", produce);
    case OutputKind::write_in_place:
      return write_in_place(target.path, path, produce);
    case OutputKind::replace_file:
      break;
  }
  remove_stale_temp_files(target.path);
  return write_file_atomically(target.path, produce);
}

}  // namespace relayaudit
