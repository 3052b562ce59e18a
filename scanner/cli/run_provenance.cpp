// Asks the system who runs this scan and where (getpwuid_r, gethostname, getcwd).
#include "cli/run_provenance.hpp"

#include <pwd.h>
#include <unistd.h>

#include <climits>
#include <filesystem>

namespace relayaudit {
namespace {

std::optional<std::string> effective_user_name(uid_t uid) {
  long size = sysconf(_SC_GETPW_R_SIZE_MAX);
  std::vector<char> buffer(size > 0 ? static_cast<std::size_t>(size) : 16384);
  passwd entry{};
  passwd* found = nullptr;
  // A container may run us under a uid with no passwd entry: the uid alone is then recorded.
  if (getpwuid_r(uid, &entry, buffer.data(), buffer.size(), &found) != 0 || found == nullptr) {
    return std::nullopt;
  }
  return std::string(found->pw_name);
}

std::optional<std::string> host_name() {
  char name[HOST_NAME_MAX + 1] = {};
  if (gethostname(name, sizeof name - 1) != 0) return std::nullopt;
  return std::string(name);
}

std::optional<std::string> working_directory() {
  std::error_code error;
  const auto path = std::filesystem::current_path(error);
  if (error) return std::nullopt;
  return path.string();
}

}  // namespace

RunProvenance collect_run_provenance(const std::vector<std::string>& command_line,
                                     const std::vector<RelayScript>& scripts,
                                     const Vantage& vantage) {
  RunProvenance run;
  const uid_t uid = geteuid();
  run.uid = static_cast<long long>(uid);
  run.user = effective_user_name(uid);
  run.host = host_name();
  run.working_directory = working_directory();
  run.command_line = command_line;
  run.vantage_mode = std::string(to_string(vantage.mode));
  if (vantage.simulated()) run.vantage_client = vantage.client;
  for (const auto& script : scripts)
    run.scripts.push_back({script.id, script.source, script.sha256});
  return run;
}

}  // namespace relayaudit
