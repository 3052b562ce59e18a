// Append-only JSON Lines output and its crash-tolerant, line-by-line reader.
#include "reports/jsonl_stream.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>

#include "core/json_input.hpp"
#include "reports/endpoint_shape.hpp"
#include "reports/results_json.hpp"
#include "reports/results_upgrade.hpp"
#include "reports/safe_text.hpp"
#include "reports/version.hpp"

namespace relayaudit {
namespace {

using nlohmann::json;

std::optional<std::string> write_line(int fd, const std::filesystem::path& path,
                                      std::string_view text) {
  while (!text.empty()) {
    const ssize_t written = ::write(fd, text.data(), text.size());
    if (written < 0) {
      if (errno == EINTR) continue;
      return "cannot write " + terminal_safe(path.string()) + ": " + std::strerror(errno);
    }
    text.remove_prefix(static_cast<std::size_t>(written));
  }
  return std::nullopt;
}

// What a header line must be; nullopt when it is one this relayaudit reads.
std::optional<std::string> header_problem(const json& header) {
  const auto version = header.find("schema_version");
  if (!version->is_string() || version->get_ref<const std::string&>().rfind("2.", 0) != 0) {
    return "a header line of schema_version " + version->dump() +
           ", not 2.x, the version this relayaudit reads";
  }
  const auto scripts = header.find("scripts");
  if (scripts == header.end() || !scripts->is_object()) {
    return "a header line without a \"scripts\" object";
  }
  for (const auto& [id, facts] : scripts->items()) {
    if (!facts.is_object()) return "/scripts/" + terminal_safe(id) + ": must be an object";
  }
  return std::nullopt;
}

void add_scripts(json& into, const json& scripts) {
  for (const auto& [id, facts] : scripts.items()) {
    if (!into.contains(id)) into[id] = facts;
  }
}

// Feeds lines one by one, knowing only at the next line (or the end) whether one was the last.
class StreamParser {
 public:
  StreamParser(std::string name, const JsonlEndpoint& on_endpoint)
      : name_(std::move(name)), on_endpoint_(on_endpoint) {}

  // `line` without its line feed; `newline`: whether one followed it. False stops.
  bool feed(std::string_view line, bool newline, bool last) {
    const std::string where = name_ + ":" + std::to_string(++number_);
    // Every line is written with its newline in one write(2): without it, the write was cut.
    if (!newline) {
      contents_.torn_line = where + ": no newline at the end (the write was cut short)";
      return false;
    }
    auto parsed = parse_json_input(line);
    if (auto* problem = std::get_if<JsonInputError>(&parsed)) {
      const std::string why = "not a JSON line: " + terminal_safe(problem->located());
      if (last) {
        contents_.torn_line = where + ": " + why;
      } else {
        error_ = where + ": " + why;
      }
      return false;
    }
    json& value = std::get<json>(parsed);
    if (value.is_object() && !value.contains("endpoint") && value.contains("schema_version")) {
      if (auto problem = header_problem(value)) return fail(where + ": " + *problem);
      add_scripts(contents_.scripts, value["scripts"]);
      after_header_ = true;
    } else if (!take_endpoint(std::move(value), where)) {
      return false;
    }
    consumed_ += line.size() + 1;
    contents_.complete_bytes = consumed_;
    return true;
  }

  std::variant<JsonlContents, std::string> finish() {
    if (error_) return *error_;
    return std::move(contents_);
  }

 private:
  bool fail(std::string message) {
    error_ = std::move(message);
    return false;
  }

  bool take_endpoint(json endpoint, const std::string& where) {
    const std::string prefix = where + ": not an endpoint line as relayaudit writes it: ";
    if (!after_header_) {
      // Written by relayaudit 1.x, which wrote no header line.
      if (auto problem = endpoint_shape_problem_1x(endpoint)) {
        return fail(prefix + terminal_safe(*problem));
      }
      endpoint = upgrade_endpoint(std::move(endpoint), contents_.scripts);
    }
    if (auto problem = endpoint_shape_problem(endpoint)) {
      return fail(prefix + terminal_safe(*problem));
    }
    const std::string& key = endpoint["endpoint"].get_ref<const std::string&>();
    const auto [earlier, added] = line_of_endpoint_.emplace(key, number_);
    if (!added) {
      return fail(where + ": endpoint " + terminal_safe(key) + " is already on line " +
                  std::to_string(earlier->second));
    }
    ++contents_.endpoints;
    if (on_endpoint_) {
      on_endpoint_(std::move(endpoint));
    } else {
      contents_.lines.push_back(std::move(endpoint));
    }
    return true;
  }

  std::string name_;
  const JsonlEndpoint& on_endpoint_;
  JsonlContents contents_;
  std::map<std::string, std::size_t> line_of_endpoint_;
  std::optional<std::string> error_;
  std::size_t number_ = 0;
  std::uintmax_t consumed_ = 0;
  bool after_header_ = false;
};

// Splits `text` into lines for `parser`; `more` says whether text may follow this chunk. Returns
// how much of `text` was consumed (a line without its newline waits for more).
std::size_t feed_lines(StreamParser& parser, std::string_view text, bool more, bool& stopped) {
  std::size_t start = 0;
  while (start < text.size()) {
    const auto end = text.find('\n', start);
    if (end == std::string_view::npos) {
      if (more) return start;
      stopped = !parser.feed(text.substr(start), false, true);
      return text.size();
    }
    // Whether a line is the last one is known only once nothing follows it.
    if (more && end + 1 == text.size()) return start;
    const bool last = !more && end + 1 == text.size();
    if (!parser.feed(text.substr(start, end - start), true, last)) {
      stopped = true;
      return text.size();
    }
    start = end + 1;
  }
  return start;
}

}  // namespace

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

std::optional<std::string> JsonlStream::append(const json& line) {
  return append_text(line.dump(-1, ' ', false, json::error_handler_t::replace));
}

std::optional<std::string> JsonlStream::append_text(std::string_view line) {
  std::string text;
  text.reserve(line.size() + 1);
  text.append(line);
  text += '\n';
  return write_line(fd_, path_, text);
}

json jsonl_header_json(const json& scripts, const std::string& started_at) {
  return {{"schema_version", kResultsSchemaVersion},
          {"tool", {{"name", "relayaudit"}, {"version", kToolVersion}}},
          {"started_at", started_at},
          {"scripts", scripts}};
}

std::variant<JsonlContents, std::string> parse_jsonl(std::string_view text,
                                                     const std::string& name) {
  const JsonlEndpoint keep;
  StreamParser parser(name, keep);
  bool stopped = false;
  feed_lines(parser, text, false, stopped);
  return parser.finish();
}

std::variant<JsonlContents, std::string> read_jsonl(const std::filesystem::path& path,
                                                    const JsonlEndpoint& on_endpoint) {
  const std::string name = terminal_safe(path.string());
  std::error_code missing;
  if (!std::filesystem::exists(path, missing) && !missing) return JsonlContents{};
  // A stream is read, truncated and appended to: only a regular file can be.
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return name + ": cannot read: " + std::strerror(errno);
  struct stat status {};
  if (::fstat(fd, &status) != 0 || !S_ISREG(status.st_mode)) {
    ::close(fd);
    return name + ": cannot read: not a regular file";
  }
  StreamParser parser(name, on_endpoint);
  std::string pending;
  std::vector<char> buffer(1 << 16);
  bool stopped = false;
  while (!stopped) {
    const ssize_t got = ::read(fd, buffer.data(), buffer.size());
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) {
      const std::string why = std::strerror(errno);
      ::close(fd);
      return name + ": cannot read: " + why;
    }
    pending.append(buffer.data(), static_cast<std::size_t>(got));
    // One more read tells whether this chunk's last line is the stream's last.
    const bool more = got > 0;
    const std::size_t used = feed_lines(parser, pending, more, stopped);
    pending.erase(0, used);
    if (!more) break;
  }
  ::close(fd);
  return parser.finish();
}

std::optional<std::string> truncate_stream(const std::filesystem::path& path, std::uintmax_t size) {
  if (::truncate(path.c_str(), static_cast<off_t>(size)) != 0) {
    return "cannot cut " + terminal_safe(path.string()) + " to " + std::to_string(size) +
           " bytes: " + std::strerror(errno);
  }
  return std::nullopt;
}

}  // namespace relayaudit
