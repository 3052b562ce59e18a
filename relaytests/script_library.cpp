// The relay-script library: built-in scripts, user script directories, merging and selection.
#include "relaytests/script_library.hpp"

#include <algorithm>
#include <iterator>
#include <map>
#include <stdexcept>

#include "core/bounded_file.hpp"
#include "relaytests/embedded_scripts.hpp"

namespace relayaudit {

namespace {

namespace fs = std::filesystem;

void sort_by_id(std::vector<RelayScript>& scripts) {
  std::sort(scripts.begin(), scripts.end(),
            [](const RelayScript& a, const RelayScript& b) { return a.id < b.id; });
}

std::variant<std::string, ScriptError> read_script_file(const fs::path& file) {
  auto text = read_bounded_regular_file(file, kMaxScriptBytes);
  if (auto* failure = std::get_if<FileReadError>(&text)) {
    return ScriptError{file.string(), "", "cannot read: " + failure->reason};
  }
  return std::move(std::get<std::string>(text));
}

// Reads and parses one file into `set`: its script, or every error in it.
void add_script_file(const fs::path& file, ScriptSet& set) {
  auto text = read_script_file(file);
  if (auto* failure = std::get_if<ScriptError>(&text)) {
    set.errors.push_back(std::move(*failure));
    return;
  }
  auto parsed = parse_script_every_error(std::get<std::string>(text), file.string());
  if (auto* failures = std::get_if<std::vector<ScriptError>>(&parsed)) {
    std::move(failures->begin(), failures->end(), std::back_inserter(set.errors));
  } else {
    set.scripts.push_back(std::move(std::get<RelayScript>(parsed)));
  }
}

bool matches(const RelayScript& script, const std::string& selector) {
  return script.id == selector ||
         std::find(script.tags.begin(), script.tags.end(), selector) != script.tags.end();
}

}  // namespace

const std::vector<RelayScript>& builtin_scripts() {
  static const std::vector<RelayScript> scripts = [] {
    ScriptSet embedded;
    for (std::size_t i = 0; i < kEmbeddedScriptCount; ++i) {
      const auto& file = kEmbeddedScripts[i];
      auto parsed = parse_script(file.text, std::string("builtin:") + file.path);
      // The files were validated by the tests before they shipped: a bad one is a build mistake.
      if (auto* error = std::get_if<ScriptError>(&parsed)) {
        throw std::logic_error("invalid built-in relay script: " + error->to_string());
      }
      embedded.scripts.push_back(std::move(std::get<RelayScript>(parsed)));
    }
    auto merged = merge_scripts({}, std::move(embedded));  // sorts, and catches duplicate ids
    if (!merged.errors.empty()) {
      throw std::logic_error("invalid built-in relay script: " + merged.errors.front().to_string());
    }
    return std::move(merged.scripts);
  }();
  return scripts;
}

const RelayScript* find_builtin_script(std::string_view id) {
  const auto& scripts = builtin_scripts();
  // Sorted by id: a binary search.
  const auto found = std::lower_bound(
      scripts.begin(), scripts.end(), id,
      [](const RelayScript& script, std::string_view wanted) { return script.id < wanted; });
  return found != scripts.end() && found->id == id ? &*found : nullptr;
}

ScriptSet load_script_dir(const fs::path& dir) {
  ScriptSet set;
  std::error_code error;
  std::vector<fs::path> files;
  for (fs::directory_iterator it(dir, error), end; !error && it != end; it.increment(error)) {
    // Directories are skipped; anything else named *.json is read, so a broken link, a FIFO or a
    // device is reported as an error instead of being read (a FIFO would block the scan).
    std::error_code ignored;
    if (it->path().extension() == ".json" && !it->is_directory(ignored)) {
      files.push_back(it->path());
    }
  }
  if (error) {
    set.errors.push_back({dir.string(), "", "cannot read script directory: " + error.message()});
    return set;
  }
  std::sort(files.begin(), files.end());
  for (const auto& file : files) add_script_file(file, set);
  return set;
}

ScriptSet load_script_file(const fs::path& file) {
  ScriptSet set;
  add_script_file(file, set);
  return set;
}

ScriptSet merge_scripts(const std::vector<RelayScript>& builtin, ScriptSet user) {
  ScriptSet merged;
  merged.scripts = builtin;
  merged.errors = std::move(user.errors);
  std::map<std::string, std::string> source_of_id;
  for (const auto& script : builtin) source_of_id.emplace(script.id, script.source);
  for (auto& script : user.scripts) {
    const auto [known, added] = source_of_id.emplace(script.id, script.source);
    if (!added) {
      merged.errors.push_back(
          {script.source, "/id",
           "duplicate id '" + script.id + "': already defined by " + known->second});
      continue;
    }
    merged.scripts.push_back(std::move(script));
  }
  sort_by_id(merged.scripts);
  return merged;
}

std::variant<std::vector<RelayScript>, std::string> select_scripts(
    const std::vector<RelayScript>& scripts, const std::vector<std::string>& selectors) {
  for (const auto& selector : selectors) {
    const bool known = std::any_of(scripts.begin(), scripts.end(),
                                   [&](const RelayScript& s) { return matches(s, selector); });
    if (!known) return "unknown test or tag '" + selector + "' (see 'relayaudit tests list')";
  }
  if (selectors.empty()) return scripts;
  std::vector<RelayScript> chosen;
  for (const auto& script : scripts) {
    if (std::any_of(selectors.begin(), selectors.end(),
                    [&](const std::string& selector) { return matches(script, selector); })) {
      chosen.push_back(script);
    }
  }
  return chosen;
}

}  // namespace relayaudit
