// The --jsonl stream: one line per finished endpoint, written as it finishes, and read back by
// --resume after a crash.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

namespace relayaudit {

class JsonlStream {
 public:
  JsonlStream() = default;
  ~JsonlStream();
  JsonlStream(const JsonlStream&) = delete;
  JsonlStream& operator=(const JsonlStream&) = delete;

  // Opens for appending (creating the file); an error names the path and the system reason.
  std::optional<std::string> open(const std::filesystem::path& path);
  // One write(2) per line, so a SIGKILL leaves whole lines only; the kernel keeps what was
  // written even when the process dies at once.
  std::optional<std::string> append(const nlohmann::json& line);
  bool is_open() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
  std::filesystem::path path_;
};

struct JsonlContents {
  std::vector<nlohmann::json> lines;
  bool dropped_partial_line = false;  // a last line cut short by a crash was ignored
};

// Reads every line; a missing file is empty. A bad line other than a cut-short last one is an
// error naming file:line.
std::variant<JsonlContents, std::string> read_jsonl(const std::filesystem::path& path);

}  // namespace relayaudit
