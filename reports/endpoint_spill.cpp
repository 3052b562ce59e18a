// The spill file of finished endpoints: append-only writes, positioned reads.
#include "reports/endpoint_spill.hpp"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "reports/output_path.hpp"
#include "reports/safe_text.hpp"

namespace relayaudit {
namespace {

std::string failure(const std::filesystem::path& directory, std::string_view step) {
  return "spill file in " + terminal_safe(directory.string()) + ": " + std::string(step) + ": " +
         std::strerror(errno);
}

}  // namespace

EndpointSpill::~EndpointSpill() {
  if (fd_ >= 0) ::close(fd_);
}

std::optional<std::string> EndpointSpill::open(const std::filesystem::path& directory) {
  directory_ = directory;
#ifdef O_TMPFILE
  fd_ = ::open(directory.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (fd_ >= 0) return std::nullopt;
#endif
  // A file system without O_TMPFILE: a named file, unlinked before anything is written to it.
  std::string name = (directory / ".relayaudit-spill.XXXXXX").string();
  fd_ = ::mkostemp(name.data(), O_CLOEXEC);
  if (fd_ < 0) return failure(directory, "create");
  ::unlink(name.c_str());
  return std::nullopt;
}

std::variant<EndpointSpill::Place, std::string> EndpointSpill::append(std::string_view text) {
  const Place place{size_, text.size()};
  std::string_view rest = text;
  while (!rest.empty()) {
    const ssize_t written = ::pwrite(fd_, rest.data(), rest.size(), static_cast<off_t>(size_));
    if (written < 0) {
      if (errno == EINTR) continue;
      return failure(directory_, "write");
    }
    rest.remove_prefix(static_cast<std::size_t>(written));
    size_ += static_cast<std::uint64_t>(written);
  }
  return place;
}

std::optional<std::string> EndpointSpill::read(const Place& place, std::string& text) const {
  text.resize(static_cast<std::size_t>(place.size));
  std::size_t filled = 0;
  while (filled < text.size()) {
    const ssize_t got = ::pread(fd_, text.data() + filled, text.size() - filled,
                                static_cast<off_t>(place.offset + filled));
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return got < 0 ? failure(directory_, "read") : "spill file: cut short";
    filled += static_cast<std::size_t>(got);
  }
  return std::nullopt;
}

std::filesystem::path spill_directory(const std::string& output) {
  if (!output.empty()) {
    auto resolved = resolve_output_path(output);
    if (const auto* target = std::get_if<OutputTarget>(&resolved);
        target != nullptr && target->kind == OutputKind::replace_file) {
      return target->path.parent_path().empty() ? std::filesystem::path(".")
                                                : target->path.parent_path();
    }
  }
  const char* tmpdir = std::getenv("TMPDIR");
  return tmpdir != nullptr && *tmpdir != '\0' ? std::filesystem::path(tmpdir)
                                              : std::filesystem::path("/tmp");
}

}  // namespace relayaudit
