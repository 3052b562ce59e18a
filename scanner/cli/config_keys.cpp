// Finding the unknown key of a --config file by the same lookups CLI11 makes, and naming the
// nearest known one.
#include "cli/config_keys.hpp"

#include <algorithm>
#include <variant>

#include "cli/closest_name.hpp"
#include "cli/config_precheck.hpp"
#include "core/bounded_file.hpp"
#include "reports/safe_text.hpp"

namespace relayaudit {

namespace {

std::string_view trimmed_config_text(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t\r");
  return text.substr(first, last - first + 1);
}

bool is_bare_config_key(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == '.';
  });
}

// A dotted key ("scan.port") or a quoted one ("\"port\""), split into its parts; empty when the
// text is not a key (a continuation line of a multi-line array).
std::vector<std::string> config_key_parts(std::string_view text) {
  text = trimmed_config_text(text);
  if (text.size() >= 2 && (text.front() == '"' || text.front() == '\'') &&
      text.back() == text.front() && text.find(text.front(), 1) == text.size() - 1) {
    return {std::string(text.substr(1, text.size() - 2))};
  }
  if (!is_bare_config_key(text)) return {};
  std::vector<std::string> parts;
  std::size_t start = 0;
  for (std::size_t dot = text.find('.'); dot != std::string_view::npos;
       start = dot + 1, dot = text.find('.', start)) {
    parts.emplace_back(text.substr(start, dot - start));
  }
  parts.emplace_back(text.substr(start));
  return parts;
}

CLI::App* subcommand_named(CLI::App& app, const std::string& name) {
  for (CLI::App* sub : app.get_subcommands({})) {
    if (sub->get_name() == name) return sub;
  }
  return nullptr;
}

// The lookups CLI11's _parse_single_config makes, in its order.
bool reads_config_key(CLI::App& app, const std::string& key) {
  return app.get_option_no_throw("--" + key) != nullptr ||
         (key.size() == 1 && app.get_option_no_throw("-" + key) != nullptr) ||
         app.get_option_no_throw(key) != nullptr;
}

std::vector<std::string> long_option_names(CLI::App& app) {
  std::vector<std::string> names;
  for (const CLI::Option* option : app.get_options()) {
    for (const auto& name : option->get_lnames()) names.push_back(name);
  }
  return names;
}

std::string section_text(const std::vector<std::string>& sections) {
  std::string text;
  for (const auto& section : sections) text += (text.empty() ? "" : ".") + section;
  return text.empty() ? "the top level (outside any [section])" : "[" + text + "]";
}

std::optional<std::string> unknown_key_problem(CLI::App& app, const ConfigKeyLine& entry) {
  const std::string at = std::to_string(entry.line) + ": ";
  CLI::App* section = &app;
  for (std::size_t depth = 0; depth < entry.sections.size(); ++depth) {
    const std::string& name = entry.sections[depth];
    CLI::App* sub = subcommand_named(*section, name);
    if (sub == nullptr) {
      std::vector<std::string> known;
      for (CLI::App* candidate : section->get_subcommands({}))
        known.push_back(candidate->get_name());
      const auto meant = closest_name(name, known);
      return at + "unknown section [" + name + "]" +
             (meant ? " (did you mean [" + *meant + "]?)" : "");
    }
    section = sub;
  }
  if (reads_config_key(*section, entry.key)) return std::nullopt;
  std::string problem = at + "unknown key '" + entry.key + "' in " + section_text(entry.sections);
  if (const auto meant = closest_name(entry.key, long_option_names(*section))) {
    return problem + " (did you mean '" + *meant + "'?)";
  }
  // A scan option written at the top level, or under another command's section.
  for (CLI::App* sub : app.get_subcommands({})) {
    if (sub != section && reads_config_key(*sub, entry.key)) {
      return problem + " (it is an option of '" + sub->get_name() + "': put it under [" +
             sub->get_name() + "])";
    }
  }
  return problem;
}

}  // namespace

std::vector<ConfigKeyLine> config_key_lines(std::string_view text) {
  std::vector<ConfigKeyLine> keys;
  std::vector<std::string> sections;
  std::size_t number = 0;
  for (std::size_t start = 0; start <= text.size(); ++number) {
    const auto end = std::min(text.find('\n', start), text.size());
    const auto line = trimmed_config_text(text.substr(start, end - start));
    start = end + 1;
    if (line.empty() || line.front() == '#') continue;
    if (line.front() == '[') {
      const auto inner = line.find_first_not_of('[');
      const auto close = line.find(']');
      if (inner == std::string_view::npos || close == std::string_view::npos || close < inner) {
        sections.clear();  // CLI11 refuses such a header itself
        continue;
      }
      sections = config_key_parts(line.substr(inner, close - inner));
      continue;
    }
    const auto equals = line.find('=');
    if (equals == std::string_view::npos) continue;
    auto parts = config_key_parts(line.substr(0, equals));
    if (parts.empty()) continue;
    ConfigKeyLine entry{sections, parts.back(), number + 1};
    entry.sections.insert(entry.sections.end(), parts.begin(), parts.end() - 1);
    keys.push_back(std::move(entry));
  }
  return keys;
}

std::optional<std::string> unknown_config_key(CLI::App& app, std::string_view text) {
  for (const auto& entry : config_key_lines(text)) {
    if (auto problem = unknown_key_problem(app, entry)) return problem;
  }
  return std::nullopt;
}

std::optional<std::string> unknown_config_key_in_file(CLI::App& app, const std::string& path) {
  auto text = read_bounded_regular_file(path, kMaxConfigBytes);
  if (!std::holds_alternative<std::string>(text)) return std::nullopt;
  auto problem = unknown_config_key(app, std::get<std::string>(text));
  if (!problem) return std::nullopt;
  return terminal_safe(path) + ":" + terminal_safe(*problem);
}

}  // namespace relayaudit
