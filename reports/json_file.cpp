// JSON documents from files, with every failure named by file and position.
#include "reports/json_file.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>

#include "core/json_input.hpp"
#include "reports/safe_text.hpp"

namespace relayaudit {
namespace {

// relayaudit writes integers only. A fractional number past int's range would make a report
// writer's get<int>() undefined behaviour, so such a document is refused with the number's place.
std::optional<std::string> unrepresentable_number(const nlohmann::json& value,
                                                  const std::string& at) {
  constexpr double kLimit = 2147483647.0;
  if (value.is_number_float()) {
    const double number = value.get<double>();
    if (!(number >= -kLimit && number <= kLimit)) {
      return (at.empty() ? "/" : at) + ": " + value.dump() + " is out of range";
    }
  }
  if (value.is_array()) {
    for (std::size_t i = 0; i < value.size(); ++i) {
      if (auto problem = unrepresentable_number(value[i], at + "/" + std::to_string(i))) {
        return problem;
      }
    }
  }
  if (value.is_object()) {
    for (auto member = value.begin(); member != value.end(); ++member) {
      if (auto problem = unrepresentable_number(*member, at + "/" + member.key())) return problem;
    }
  }
  return std::nullopt;
}

}  // namespace

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
  // Recursion is bounded: parse_json_input refuses nesting deeper than kMaxJsonNesting.
  if (auto problem = unrepresentable_number(std::get<nlohmann::json>(parsed), "")) {
    return name + ": " + terminal_safe(*problem);
  }
  return std::move(std::get<nlohmann::json>(parsed));
}

}  // namespace relayaudit
