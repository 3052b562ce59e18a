// The --config pre-check: size, file type and bracket nesting, outside strings and comments.
#include "cli/config_precheck.hpp"

#include <variant>

#include "core/bounded_file.hpp"
#include "reports/safe_text.hpp"

namespace relayaudit {

std::vector<std::string> config_files_in(int argc, const char* const* argv) {
  constexpr std::string_view kFlag = "--config";
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--") break;  // everything after it is a positional argument
    if (arg == kFlag && i + 1 < argc) {
      files.emplace_back(argv[++i]);
    } else if (arg.starts_with(kFlag) && arg.size() > kFlag.size() && arg[kFlag.size()] == '=') {
      files.emplace_back(arg.substr(kFlag.size() + 1));
    }
  }
  return files;
}

std::optional<std::string> config_text_problem(std::string_view text) {
  int depth = 0;
  std::size_t line = 1;
  char quote = 0;  // '"' or '\'' inside a string
  bool escaped = false;
  bool comment = false;
  for (const char c : text) {
    if (c == '\n') {
      // TOML's single-line strings and comments end at the line; multi-line strings only make
      // the count stricter, never looser.
      ++line;
      quote = 0;
      escaped = false;
      comment = false;
      continue;
    }
    if (comment) continue;
    if (quote != 0) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\' && quote == '"') {
        escaped = true;
      } else if (c == quote) {
        quote = 0;
      }
      continue;
    }
    if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '#') {
      comment = true;
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxConfigNesting) {
        return std::to_string(line) + ": nesting deeper than " + std::to_string(kMaxConfigNesting) +
               " levels of [ or {";
      }
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return std::nullopt;
}

std::optional<std::string> config_file_problem(const std::string& path) {
  const std::string name = terminal_safe(path);
  auto text = read_bounded_regular_file(path, kMaxConfigBytes);
  if (auto* failure = std::get_if<FileReadError>(&text)) {
    return name + ": cannot read: " + failure->reason;
  }
  if (auto problem = config_text_problem(std::get<std::string>(text))) {
    return name + ":" + *problem;
  }
  return std::nullopt;
}

}  // namespace relayaudit
