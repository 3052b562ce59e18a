// Bounded whole-file reads: the type is checked on the open descriptor, so no race and no hang.
#include "core/bounded_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace relayaudit {
namespace {

std::string kind_of(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a plain file";
}

class Descriptor {
 public:
  explicit Descriptor(int fd) : fd_(fd) {}
  ~Descriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  Descriptor(const Descriptor&) = delete;
  Descriptor& operator=(const Descriptor&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

FileReadError too_large(std::size_t max_bytes) {
  return {"larger than the limit of " + byte_size_text(max_bytes)};
}

}  // namespace

std::string byte_size_text(std::size_t bytes) {
  constexpr std::size_t kKiB = 1024;
  if (bytes >= kKiB * kKiB && bytes % (kKiB * kKiB) == 0) {
    return std::to_string(bytes / (kKiB * kKiB)) + " MiB";
  }
  if (bytes >= kKiB && bytes % kKiB == 0) return std::to_string(bytes / kKiB) + " KiB";
  return std::to_string(bytes) + " bytes";
}

std::variant<std::string, FileReadError> read_bounded_regular_file(
    const std::filesystem::path& path, std::size_t max_bytes) {
  // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer.
  const Descriptor file(::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
  if (file.get() < 0) return FileReadError{std::strerror(errno)};
  struct stat status {};
  if (::fstat(file.get(), &status) != 0) return FileReadError{std::strerror(errno)};
  if (!S_ISREG(status.st_mode)) {
    return FileReadError{kind_of(status.st_mode) + ", not a regular file"};
  }
  if (static_cast<std::uintmax_t>(status.st_size) > max_bytes) return too_large(max_bytes);
  std::string text;
  text.resize(static_cast<std::size_t>(status.st_size));
  std::size_t filled = 0;
  // The file may grow while it is read: one byte past the limit is enough to know.
  while (true) {
    if (filled == text.size()) {
      if (text.size() > max_bytes) return too_large(max_bytes);
      text.resize(std::min(max_bytes + 1, std::max<std::size_t>(text.size() * 2, 4096)));
    }
    const ssize_t got = ::read(file.get(), text.data() + filled, text.size() - filled);
    if (got < 0) {
      if (errno == EINTR) continue;
      return FileReadError{std::strerror(errno)};
    }
    if (got == 0) break;
    filled += static_cast<std::size_t>(got);
  }
  text.resize(filled);
  if (text.size() > max_bytes) return too_large(max_bytes);
  return text;
}

}  // namespace relayaudit
