// The --jsonl stream: a header line when a run starts (what its scripts are), then one line per
// finished endpoint, written as it finishes, and read back by --resume after a crash.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
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
  // The same for a line already serialised (endpoint_line), without its line feed.
  std::optional<std::string> append_text(std::string_view line);
  bool is_open() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
  std::filesystem::path path_;
};

// The line a run writes first: {"schema_version", "tool", "started_at", "scripts"}. A line
// without "endpoint" is a header; the endpoint lines after it have its schema version.
// `started_at` is the run's start as format_timestamp writes it.
nlohmann::json jsonl_header_json(const nlohmann::json& scripts, const std::string& started_at);

struct JsonlContents {
  std::vector<nlohmann::json> lines;  // endpoint lines in the 2.0 shape (not kept by read_jsonl)
  std::size_t endpoints = 0;          // endpoint lines read
  // Script facts from the header lines and from the tests of 1.x lines, by id (first wins).
  nlohmann::json scripts = nlohmann::json::object();
  std::uintmax_t complete_bytes = 0;  // where the last complete line ends
  // A last line cut short by a crash (no final newline, or not JSON), as "file:line: why"; the
  // caller reports it and truncates the file to complete_bytes before appending.
  std::optional<std::string> torn_line;
};

// Called with each endpoint line of a stream, in the 2.0 shape.
using JsonlEndpoint = std::function<void(nlohmann::json&& endpoint)>;

// Reads the stream line by line (never whole); a missing file is empty. Lines before the first
// header were written by relayaudit 1.x: each must be an endpoint object in the 1.x shape
// (endpoint_shape_problem_1x) and is upgraded (results_upgrade.hpp). After a 2.x header each
// must have the 2.0 shape. An endpoint no earlier line names, every time; anything else, except a
// torn last line, is an error naming file:line and what is wrong. A stream that is not a regular
// file is an error too. Each endpoint goes to `on_endpoint`; contents.lines stays empty.
std::variant<JsonlContents, std::string> read_jsonl(const std::filesystem::path& path,
                                                    const JsonlEndpoint& on_endpoint);

// The checks read_jsonl applies to the text of a stream, named `name` in messages; the endpoint
// lines are kept in contents.lines.
std::variant<JsonlContents, std::string> parse_jsonl(std::string_view text,
                                                     const std::string& name);

// Cuts the file to `size` bytes: drops a torn last line so that appending starts a clean line.
std::optional<std::string> truncate_stream(const std::filesystem::path& path, std::uintmax_t size);

}  // namespace relayaudit
