// Append-only JSON Lines output and its crash-tolerant reader.
#include "reports/jsonl_stream.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <limits>
#include <map>

#include "core/bounded_file.hpp"
#include "core/json_input.hpp"
#include "reports/endpoint_shape.hpp"
#include "reports/safe_text.hpp"

namespace relayaudit {

JsonlStream::~JsonlStream() {
  if (fd_ >= 0) ::close(fd_);
}

std::optional<std::string> JsonlStream::open(const std::filesystem::path& path, bool overwrite) {
  path_ = path;
  const int truncate = overwrite ? O_TRUNC : 0;
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | truncate, 0666);
  if (fd_ < 0) return "cannot open " + terminal_safe(path.string()) + ": " + std::strerror(errno);
  return std::nullopt;
}

std::optional<std::string> JsonlStream::append(const nlohmann::json& line) {
  std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  text += '\n';
  std::string_view rest = text;
  while (!rest.empty()) {
    const ssize_t written = ::write(fd_, rest.data(), rest.size());
    if (written < 0) {
      if (errno == EINTR) continue;
      return "cannot write " + terminal_safe(path_.string()) + ": " + std::strerror(errno);
    }
    rest.remove_prefix(static_cast<std::size_t>(written));
  }
  return std::nullopt;
}

std::variant<JsonlContents, std::string> parse_jsonl(std::string_view text,
                                                     const std::string& name) {
  JsonlContents contents;
  std::map<std::string, std::size_t> line_of_endpoint;
  std::size_t start = 0;
  std::size_t number = 0;
  while (start < text.size()) {
    const auto end = text.find('\n', start);
    const bool last = end == std::string_view::npos || end + 1 == text.size();
    const std::string_view line =
        text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    const std::string where = name + ":" + std::to_string(++number);
    // Every line is written with its newline in one write(2): without it, the write was cut.
    if (end == std::string_view::npos) {
      contents.torn_line = where + ": no newline at the end (the write was cut short)";
      break;
    }
    auto parsed = parse_json_input(line);
    if (auto* problem = std::get_if<JsonInputError>(&parsed)) {
      const std::string why = "not a JSON line: " + terminal_safe(problem->located());
      if (last) {
        contents.torn_line = where + ": " + why;
        break;
      }
      return where + ": " + why;
    }
    const nlohmann::json& endpoint = std::get<nlohmann::json>(parsed);
    if (auto problem = endpoint_shape_problem(endpoint)) {
      return where + ": not an endpoint line as relayaudit writes it: " + terminal_safe(*problem);
    }
    const std::string& key = endpoint["endpoint"].get_ref<const std::string&>();
    const auto [earlier, added] = line_of_endpoint.emplace(key, number);
    if (!added) {
      return where + ": endpoint " + terminal_safe(key) + " is already on line " +
             std::to_string(earlier->second);
    }
    contents.lines.push_back(std::move(std::get<nlohmann::json>(parsed)));
    start = end + 1;
    contents.complete_bytes = start;
  }
  return contents;
}

std::variant<JsonlContents, std::string> read_jsonl(const std::filesystem::path& path) {
  const std::string name = terminal_safe(path.string());
  std::error_code missing;
  if (!std::filesystem::exists(path, missing) && !missing) return JsonlContents{};
  // A stream is read whole, truncated and appended to: only a regular file can be.
  auto text = read_bounded_regular_file(path, std::numeric_limits<std::size_t>::max() / 2);
  if (auto* failure = std::get_if<FileReadError>(&text)) {
    return name + ": cannot read: " + failure->reason;
  }
  return parse_jsonl(std::get<std::string>(text), name);
}

std::optional<std::string> truncate_stream(const std::filesystem::path& path, std::uintmax_t size) {
  if (::truncate(path.c_str(), static_cast<off_t>(size)) != 0) {
    return "cannot cut " + terminal_safe(path.string()) + " to " + std::to_string(size) +
           " bytes: " + std::strerror(errno);
  }
  return std::nullopt;
}

}  // namespace relayaudit
