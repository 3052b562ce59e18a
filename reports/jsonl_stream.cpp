// Append-only JSON Lines output and its crash-tolerant reader.
#include "reports/jsonl_stream.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace relayaudit {

JsonlStream::~JsonlStream() {
  if (fd_ >= 0) ::close(fd_);
}

std::optional<std::string> JsonlStream::open(const std::filesystem::path& path) {
  path_ = path;
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0666);
  if (fd_ < 0) return "cannot open " + path.string() + ": " + std::strerror(errno);
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
      return "cannot write " + path_.string() + ": " + std::strerror(errno);
    }
    rest.remove_prefix(static_cast<std::size_t>(written));
  }
  return std::nullopt;
}

std::variant<JsonlContents, std::string> read_jsonl(const std::filesystem::path& path) {
  JsonlContents contents;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (!std::filesystem::exists(path)) return contents;
    return "cannot read " + path.string();
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string text = buffer.str();
  std::size_t start = 0;
  int number = 0;
  while (start < text.size()) {
    const auto end = text.find('\n', start);
    const bool last_without_newline = end == std::string::npos;
    const std::string line =
        text.substr(start, last_without_newline ? std::string::npos : end - start);
    ++number;
    start = last_without_newline ? text.size() : end + 1;
    if (line.empty()) continue;
    try {
      contents.lines.push_back(nlohmann::json::parse(line));
    } catch (const nlohmann::json::exception& error) {
      if (last_without_newline) {
        contents.dropped_partial_line = true;  // cut short mid-write: that endpoint runs again
        continue;
      }
      return path.string() + ":" + std::to_string(number) + ": not a JSON line: " + error.what();
    }
  }
  return contents;
}

}  // namespace relayaudit
