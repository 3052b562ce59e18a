// Output path checks shared by `scan` and `report`, run before a scan starts or a file is touched.
#include "cli/output_preflight.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>
#include <variant>

#include "reports/output_path.hpp"

namespace relayaudit {
namespace {

// Why `target` cannot be written by this user, checked the way it will be written.
std::optional<std::string> not_writable(const OutputTarget& target, bool appended) {
  const auto denied = [](const std::filesystem::path& path, const std::string& what) {
    return path.string() + ": " + what + std::strerror(errno);
  };
  if (target.kind == OutputKind::standard_output) return std::nullopt;
  std::error_code ignored;
  const bool exists = std::filesystem::exists(target.path, ignored);
  // A device, a FIFO or an appended stream is opened for writing where it is.
  if (exists && (target.kind == OutputKind::write_in_place || appended)) {
    if (::access(target.path.c_str(), W_OK) != 0) return denied(target.path, "cannot write: ");
    return std::nullopt;
  }
  // A new file, or one replaced by rename, is created in its directory.
  std::filesystem::path directory = target.path.parent_path();
  if (directory.empty()) directory = ".";
  if (!std::filesystem::is_directory(directory, ignored)) {
    return target.path.string() + ": its directory " + directory.string() +
           (std::filesystem::exists(directory, ignored) ? " is not a directory"
                                                        : " does not exist");
  }
  if (::access(directory.c_str(), W_OK | X_OK) != 0) {
    return denied(directory, "cannot create files in this directory: ");
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> outputs_problem(const std::vector<RequestedOutput>& outputs) {
  const RequestedOutput* on_stdout = nullptr;
  for (const RequestedOutput& output : outputs) {
    if (output.path.empty()) continue;
    const bool is_stdout = output.may_be_stdout && names_standard_output(output.path);
    if (is_stdout) {
      // Two documents on one stream would be neither.
      if (on_stdout != nullptr) {
        return output.flag + ": standard output is already taken by " + on_stdout->flag;
      }
      on_stdout = &output;
      continue;
    }
    const std::string path = names_standard_output(output.path) ? "./-" : output.path;
    auto resolved = resolve_output_path(path);
    if (auto* error = std::get_if<std::string>(&resolved)) return output.flag + ": " + *error;
    if (auto problem = not_writable(std::get<OutputTarget>(resolved), output.appended)) {
      return output.flag + ": " + *problem;
    }
  }
  return std::nullopt;
}

}  // namespace relayaudit
