// Sweeping the temporary files of killed writers, judged by whether their PID still exists.
#include "reports/stale_temp_files.hpp"

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <string_view>

namespace relayaudit {
namespace {

bool all_digits(std::string_view text) {
  return !text.empty() && text.find_first_not_of("0123456789") == std::string_view::npos;
}

// "<pid>.<counter>.<random>" -> pid; 0 when the rest of the name is not of that form.
pid_t writer_pid(std::string_view suffix) {
  const auto first = suffix.find('.');
  const auto second = suffix.find('.', first == std::string_view::npos ? first : first + 1);
  if (first == std::string_view::npos || second == std::string_view::npos) return 0;
  const std::string_view pid_text = suffix.substr(0, first);
  if (!all_digits(pid_text) || !all_digits(suffix.substr(first + 1, second - first - 1)) ||
      !all_digits(suffix.substr(second + 1))) {
    return 0;
  }
  pid_t pid = 0;
  const auto parsed = std::from_chars(pid_text.data(), pid_text.data() + pid_text.size(), pid);
  return parsed.ec == std::errc() && pid > 0 ? pid : 0;
}

// ESRCH only: EPERM means a process of another user holds that PID, so the file may be live.
bool process_is_gone(pid_t pid) {
  return ::kill(pid, 0) == -1 && errno == ESRCH;
}

}  // namespace

std::string temp_file_prefix(const std::filesystem::path& path) {
  return "." + path.filename().string() + ".tmp.";
}

int remove_stale_temp_files(const std::filesystem::path& path) {
  const std::string prefix = temp_file_prefix(path);
  const std::filesystem::path directory = path.parent_path().empty() ? "." : path.parent_path();
  std::error_code error;
  std::filesystem::directory_iterator entries(directory, error);
  if (error) return 0;
  int removed = 0;
  for (const auto& entry : entries) {
    const std::string name = entry.path().filename().string();
    if (name.rfind(prefix, 0) != 0) continue;
    const pid_t pid = writer_pid(std::string_view(name).substr(prefix.size()));
    if (pid == 0 || !process_is_gone(pid)) continue;
    struct stat info {};
    // Only a plain file: never follow a planted symlink to delete something else.
    if (::lstat(entry.path().c_str(), &info) != 0 || !S_ISREG(info.st_mode)) continue;
    if (::unlink(entry.path().c_str()) == 0) ++removed;
  }
  return removed;
}

}  // namespace relayaudit
