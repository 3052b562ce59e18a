// Atomic file replacement with POSIX calls: temp file in the same directory, fsync, rename.
#include "reports/atomic_file.hpp"

#include "reports/stale_temp_files.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <random>

namespace relayaudit {
namespace {

std::string failure(const std::filesystem::path& path, std::string_view step, int error) {
  return "cannot write " + path.string() + ": " + std::string(step) + ": " + std::strerror(error);
}

// A name no other writer in this or another process picks: pid, a counter and a random part.
std::filesystem::path temp_name_for(const std::filesystem::path& path) {
  static std::atomic<unsigned> counter{0};
  static thread_local std::mt19937 random{std::random_device{}()};
  // The pid comes first: remove_stale_temp_files reads it back to tell a crashed writer's file.
  std::string name = temp_file_prefix(path) + std::to_string(::getpid()) + "." +
                     std::to_string(counter++) + "." + std::to_string(random() % 1000000);
  return path.parent_path() / name;
}

// The rename is durable only once the directory entry itself reaches the disk.
void sync_directory(const std::filesystem::path& directory) {
  const int fd = ::open(directory.empty() ? "." : directory.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) return;  // best effort: the data is already safe, only the rename may be replayed
  ::fsync(fd);
  ::close(fd);
}

}  // namespace

bool write_all(int fd, std::string_view content) {
  while (!content.empty()) {
    const ssize_t written = ::write(fd, content.data(), content.size());
    if (written < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    content.remove_prefix(static_cast<std::size_t>(written));
  }
  return true;
}

std::optional<std::string> write_file_atomically(const std::filesystem::path& path,
                                                 std::string_view content) {
  return write_file_atomically(path, [content](const ChunkSink& sink) { return sink(content); });
}

std::optional<std::string> write_file_atomically(
    const std::filesystem::path& path, const std::function<bool(const ChunkSink&)>& produce) {
  if (path.filename().empty()) return failure(path, "path names a directory", EISDIR);
  std::filesystem::path temp;
  int fd = -1;
  for (int attempt = 0; attempt < 16 && fd < 0; ++attempt) {
    temp = temp_name_for(path);
    // 0666 so the umask, not this code, decides who may read the report.
    fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0 && errno != EEXIST) break;
  }
  if (fd < 0) return failure(path, "create temporary file", errno);

  const auto abandon = [&](std::string_view step) {
    const int error = errno;
    ::close(fd);
    ::unlink(temp.c_str());
    return failure(path, step, error);
  };
  if (!produce([fd](std::string_view chunk) { return write_all(fd, chunk); })) {
    return abandon("write");
  }
  if (::fsync(fd) != 0) return abandon("fsync");
  if (::close(fd) != 0) {
    const int error = errno;
    ::unlink(temp.c_str());
    return failure(path, "close", error);
  }
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    const int error = errno;
    ::unlink(temp.c_str());
    return failure(path, "rename", error);
  }
  sync_directory(path.parent_path());
  return std::nullopt;
}

}  // namespace relayaudit
