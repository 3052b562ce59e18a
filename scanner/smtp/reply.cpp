// Text views of a parsed SMTP reply.
#include "smtp/reply.hpp"

namespace relayaudit {

std::string Reply::line_text(std::size_t i) const {
  if (i >= lines.size()) return {};
  const std::string& line = lines[i];
  return line.size() > 4 ? line.substr(4) : std::string();
}

std::string Reply::text() const {
  std::string joined;
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (i != 0) joined += '\n';
    joined += line_text(i);
  }
  return joined;
}

}  // namespace relayaudit
