// Output path checks shared by `scan` and `report`, run before a scan starts or a file is touched.
#include "cli/output_preflight.hpp"

#include <variant>

#include "reports/output_path.hpp"

namespace relayaudit {

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
  }
  return std::nullopt;
}

}  // namespace relayaudit
