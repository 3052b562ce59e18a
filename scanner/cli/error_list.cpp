// Capped error listing shared by the commands that read many inputs at once.
#include "cli/error_list.hpp"

#include "reports/safe_text.hpp"

namespace relayaudit {

void print_error_list(std::ostream& out, const std::vector<std::string>& messages,
                      std::size_t not_kept) {
  std::size_t printed = 0;
  for (; printed < messages.size() && printed < kMaxPrintedErrors; ++printed) {
    out << "relayaudit: " << terminal_safe(messages[printed]) << "\n";
  }
  const std::size_t rest = messages.size() - printed + not_kept;
  if (rest > 0) {
    out << "relayaudit: ... and " << rest << " more error" << (rest == 1 ? "" : "s")
        << " not shown\n";
  }
}

}  // namespace relayaudit
