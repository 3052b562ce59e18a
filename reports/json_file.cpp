// JSON documents from files, with every failure named by file and position.
#include "reports/json_file.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "core/json_input.hpp"
#include "reports/safe_text.hpp"

namespace relayaudit {

std::variant<nlohmann::json, std::string> read_json_file(const std::filesystem::path& path) {
  const std::string name = terminal_safe(path.string());
  std::error_code ignored;
  // A directory opens as a stream and reads as empty; name what it is instead.
  if (std::filesystem::is_directory(path, ignored)) return name + ": cannot read: a directory";
  std::ifstream in(path, std::ios::binary);
  if (!in) return name + ": cannot read: " + std::strerror(errno);
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return name + ": cannot read: " + std::strerror(errno);
  auto parsed = parse_json_input(text.str());
  if (auto* problem = std::get_if<JsonInputError>(&parsed)) {
    return name + ":" + terminal_safe(problem->located());
  }
  return std::move(std::get<nlohmann::json>(parsed));
}

}  // namespace relayaudit
