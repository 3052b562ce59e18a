// The --jsonl stream: one line per finished endpoint, written as it finishes, and read back by
// --resume after a crash.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
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

  // Opens for appending (creating the file), or emptied first when `overwrite`; an error names
  // the path and the system reason.
  std::optional<std::string> open(const std::filesystem::path& path, bool overwrite = false);
  // One write(2) per line, so a SIGKILL leaves whole lines only; the kernel keeps what was
  // written even when the process dies at once.
  std::optional<std::string> append(const nlohmann::json& line);
  bool is_open() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
  std::filesystem::path path_;
};

struct JsonlContents {
  std::vector<nlohmann::json> lines;  // every complete line, each a valid endpoint object
  std::uintmax_t complete_bytes = 0;  // where the last complete line ends
  // A last line cut short by a crash (no final newline, or not JSON), as "file:line: why"; the
  // caller reports it and truncates the file to complete_bytes before appending.
  std::optional<std::string> torn_line;
};

// Reads every line; a missing file is empty. Each line must be an endpoint object as
// endpoint_to_json writes it (endpoint_shape_problem) and name an endpoint no earlier line names;
// anything else, except a torn last line, is an error naming file:line and what is wrong. A
// stream that is not a regular file is an error too.
std::variant<JsonlContents, std::string> read_jsonl(const std::filesystem::path& path);

// The checks read_jsonl applies to the text of a stream, named `name` in messages.
std::variant<JsonlContents, std::string> parse_jsonl(std::string_view text,
                                                     const std::string& name);

// Cuts the file to `size` bytes: drops a torn last line so that appending starts a clean line.
std::optional<std::string> truncate_stream(const std::filesystem::path& path, std::uintmax_t size);

}  // namespace relayaudit
