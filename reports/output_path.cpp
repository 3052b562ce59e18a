// Output path classification with lstat/stat: what a report write may do to what is there.
#include "reports/output_path.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>

namespace relayaudit {
namespace {

// Linux's own limit on symlinks followed while resolving one path (MAXSYMLINKS).
constexpr int kMaxSymlinkHops = 40;

std::string refusal(const std::string& path, std::string_view why) {
  return "cannot write " + path + ": " + std::string(why);
}

// Follows a chain of symlinks to the path it ends at, which may not exist yet.
std::variant<std::filesystem::path, std::string> final_target(const std::string& given) {
  std::filesystem::path at = given;
  for (int hop = 0; hop < kMaxSymlinkHops; ++hop) {
    struct stat info {};
    if (::lstat(at.c_str(), &info) != 0) {
      if (errno == ENOENT) return at;
      return refusal(given, std::strerror(errno));
    }
    if (!S_ISLNK(info.st_mode)) return at;
    std::error_code error;
    const std::filesystem::path link = std::filesystem::read_symlink(at, error);
    if (error) return refusal(given, error.message());
    at = link.is_absolute() ? link : at.parent_path() / link;
  }
  return refusal(given, "too many levels of symbolic links");
}

}  // namespace

bool names_standard_output(const std::string& path) {
  return path == "-";
}

std::variant<OutputTarget, std::string> resolve_output_path(const std::string& path) {
  if (names_standard_output(path)) return OutputTarget{OutputKind::standard_output, path};
  auto resolved = final_target(path);
  if (auto* error = std::get_if<std::string>(&resolved)) return *error;
  OutputTarget target{OutputKind::replace_file, std::get<std::filesystem::path>(resolved)};
  if (target.path.filename().empty()) return refusal(path, "the path names a directory");
  struct stat info {};
  if (::stat(target.path.c_str(), &info) != 0) {
    if (errno == ENOENT) return target;
    return refusal(path, std::strerror(errno));
  }
  if (S_ISREG(info.st_mode)) return target;
  if (S_ISCHR(info.st_mode) || S_ISBLK(info.st_mode) || S_ISFIFO(info.st_mode)) {
    target.kind = OutputKind::write_in_place;
    return target;
  }
  if (S_ISDIR(info.st_mode)) return refusal(path, "it is a directory");
  if (S_ISSOCK(info.st_mode)) return refusal(path, "it is a socket, which cannot be opened");
  return refusal(path, "it is not a regular file, device or FIFO");
}

}  // namespace relayaudit
