// Reply capping for results: the verdict is made on the whole reply before this runs.
#include "scheduler/reply_cap.hpp"

#include <string>

namespace relayaudit {

void cap_reply(Reply& reply, std::size_t max_bytes) {
  std::size_t kept = 0;
  std::size_t cut = 0;
  std::size_t keep_lines = reply.lines.size();
  for (std::size_t i = 0; i < reply.lines.size(); ++i) {
    std::string& line = reply.lines[i];
    if (cut > 0) {
      cut += line.size();
      continue;
    }
    if (kept + line.size() <= max_bytes) {
      kept += line.size();
      continue;
    }
    const std::size_t room = max_bytes - kept;
    cut += line.size() - room;
    line.resize(room);
    keep_lines = i + 1;
  }
  if (cut == 0) return;
  reply.lines.resize(keep_lines);
  reply.lines.back() +=
      " [relayaudit: " + std::to_string(cut) + " more bytes of this reply not kept]";
}

}  // namespace relayaudit
