// Baseline versus current scan: new open relays, fixed ones and every other changed verdict.
#include "reports/results_diff.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "reports/received_text.hpp"
#include "reports/safe_text.hpp"
#include "reports/script_key.hpp"

namespace relayaudit {
namespace {

// Document text on a terminal: the bytes received, made safe (the terminal's escape rule).
std::string shown(const std::string& document_text) {
  return terminal_safe(received_bytes(document_text));
}

using nlohmann::json;

constexpr const char* kVerdicts[] = {"open-relay", "closed", "inconclusive", "unreachable"};

std::string string_at(const json& object, const char* key) {
  const auto found = object.find(key);
  return found != object.end() && found->is_string() ? found->get<std::string>() : "";
}

// Test key -> test verdict, first entry winning.
std::map<std::string, std::string> test_verdicts(const json& endpoint) {
  std::map<std::string, std::string> verdicts;
  const auto tests = endpoint.find("tests");
  if (tests == endpoint.end()) return verdicts;
  const TestKeyContext context = test_key_context(*tests);
  for (const json& test : *tests)
    verdicts.emplace(script_key(test, context), string_at(test, "verdict"));
  return verdicts;
}

std::vector<std::string> failing(const json& endpoint) {
  std::vector<std::string> ids;
  const auto tests = endpoint.find("tests");
  if (tests == endpoint.end()) return ids;
  const TestKeyContext context = test_key_context(*tests);
  for (const json& test : *tests) {
    if (string_at(test, "verdict") == "fail") ids.push_back(script_key(test, context));
  }
  return ids;
}

// Scripts that fail on one side only, with their verdict on the other side.
void compare_scripts(const std::string& key, const json& before, const json& after,
                     ResultsDiff& diff) {
  const auto verdicts_before = test_verdicts(before);
  const auto verdicts_after = test_verdicts(after);
  const auto verdict_in = [](const std::map<std::string, std::string>& verdicts,
                             const std::string& id) {
    const auto found = verdicts.find(id);
    return found == verdicts.end() ? std::string() : found->second;
  };
  for (const auto& id : failing(after)) {
    const std::string was = verdict_in(verdicts_before, id);
    if (was != "fail") diff.newly_failing.push_back({key, id, was, "fail"});
  }
  for (const auto& id : failing(before)) {
    const std::string now = verdict_in(verdicts_after, id);
    if (now != "fail") diff.no_longer_failing.push_back({key, id, "fail", now});
  }
}

// Higher is a weaker claim about coverage: closed is proven, the others are not.
int coverage_rank(const std::string& verdict) {
  if (verdict == "inconclusive") return 2;
  if (verdict == "unreachable") return 1;
  return 0;
}

std::string or_absent(const std::string& verdict) {
  return verdict.empty() ? "absent" : verdict;
}

std::string script_list(const std::vector<std::string>& ids) {
  constexpr std::size_t kShown = 5;
  std::string out;
  for (std::size_t i = 0; i < ids.size() && i < kShown; ++i) {
    out += (i == 0 ? "" : ", ") + shown(ids[i]);
  }
  if (ids.size() > kShown) out += " +" + std::to_string(ids.size() - kShown) + " more";
  return out;
}

json change_json(const EndpointChange& change) {
  const auto verdict = [](const std::string& value) {
    return value.empty() ? json(nullptr) : json(value);
  };
  return {{"endpoint", change.endpoint},
          {"before", verdict(change.before)},
          {"after", verdict(change.after)},
          {"failing_scripts", change.failing_scripts}};
}

json script_json(const ScriptChange& change) {
  const auto verdict = [](const std::string& value) {
    return value.empty() ? json(nullptr) : json(value);
  };
  return {{"endpoint", change.endpoint},
          {"script", change.script},
          {"before", verdict(change.before)},
          {"after", verdict(change.after)}};
}

std::string plural(std::size_t count, const std::string& noun) {
  return std::to_string(count) + " " + noun + (count == 1 ? "" : "s");
}

}  // namespace

std::optional<std::string> diff_input_problem(const json& document) {
  if (!document.is_object()) return "not a results document (expected a JSON object)";
  const auto version = document.find("schema_version");
  // Endpoints, tests, ids and verdicts have the same shape in 1.x and 2.x.
  const auto readable = [](const std::string& text) {
    return text.rfind("1.", 0) == 0 || text.rfind("2.", 0) == 0;
  };
  if (version != document.end() &&
      (!version->is_string() || !readable(version->get<std::string>()))) {
    return "schema_version " + version->dump() +
           " is not 1.x or 2.x, the versions this relayaudit reads";
  }
  const auto endpoints = document.find("endpoints");
  if (endpoints == document.end() || !endpoints->is_array()) {
    return "/endpoints: missing or not an array";
  }
  std::set<std::string> seen;
  for (std::size_t i = 0; i < endpoints->size(); ++i) {
    const json& endpoint = (*endpoints)[i];
    const std::string where = "/endpoints/" + std::to_string(i);
    if (!endpoint.is_object()) return where + ": not an object";
    const std::string key = string_at(endpoint, "endpoint");
    if (key.empty()) return where + "/endpoint: missing or not a string";
    if (!seen.insert(key).second) return where + ": endpoint " + key + " appears twice";
    const std::string verdict = string_at(endpoint, "verdict");
    if (std::find(std::begin(kVerdicts), std::end(kVerdicts), verdict) == std::end(kVerdicts)) {
      return where + "/verdict: not one of open-relay, closed, inconclusive, unreachable";
    }
    const auto tests = endpoint.find("tests");
    if (tests == endpoint.end()) continue;
    if (!tests->is_array()) return where + "/tests: not an array";
    for (std::size_t t = 0; t < tests->size(); ++t) {
      const json& test = (*tests)[t];
      if (!test.is_object() || string_at(test, "id").empty() ||
          string_at(test, "verdict").empty()) {
        return where + "/tests/" + std::to_string(t) + ": needs a string id and verdict";
      }
    }
    if (auto repeated = repeated_script(*tests)) return where + *repeated;
  }
  return std::nullopt;
}

ResultsDiff diff_results(const json& baseline, const json& current) {
  ResultsDiff diff;
  const auto complete = current.find("complete");
  diff.current_complete = complete == current.end() || *complete != false;

  std::map<std::string, const json*> before_by_key;
  for (const json& endpoint : baseline["endpoints"]) {
    before_by_key.emplace(string_at(endpoint, "endpoint"), &endpoint);
  }
  std::set<std::string> current_keys;
  for (const json& endpoint : current["endpoints"]) {
    const std::string key = string_at(endpoint, "endpoint");
    current_keys.insert(key);
    const std::string after = string_at(endpoint, "verdict");
    const auto found = before_by_key.find(key);
    const std::string before =
        found == before_by_key.end() ? "" : string_at(*found->second, "verdict");
    EndpointChange change{key, before, after, failing(endpoint)};
    if (found == before_by_key.end()) diff.added.push_back(change);
    if (after == "open-relay" && before != "open-relay") {
      diff.new_open_relays.push_back(change);
    } else if (after == "open-relay") {
      compare_scripts(key, *found->second, endpoint, diff);
    } else if (before == "open-relay" && after == "closed") {
      diff.fixed.push_back(change);
    } else if (!before.empty() && before != after) {
      // Includes open-relay -> inconclusive/unreachable: no longer proven open, not proven fixed.
      diff.other_changes.push_back(change);
    }
  }
  for (const json& endpoint : baseline["endpoints"]) {
    const std::string key = string_at(endpoint, "endpoint");
    if (current_keys.count(key) == 0) {
      diff.removed.push_back({key, string_at(endpoint, "verdict"), "", {}});
    }
  }
  return diff;
}

bool relaying_got_worse(const ResultsDiff& diff) {
  return !diff.new_open_relays.empty() || !diff.newly_failing.empty();
}

bool coverage_got_worse(const ResultsDiff& diff) {
  for (const auto& change : diff.other_changes) {
    if (change.before != "open-relay" &&
        coverage_rank(change.after) > coverage_rank(change.before)) {
      return true;
    }
  }
  return std::any_of(diff.added.begin(), diff.added.end(),
                     [](const EndpointChange& change) { return coverage_rank(change.after) > 0; });
}

std::string diff_to_text(const ResultsDiff& diff) {
  std::string out;
  const auto section = [&](const std::string& title, std::size_t count) {
    out += title + " (" + std::to_string(count) + "):\n";
  };
  if (!diff.new_open_relays.empty()) {
    section("New open relays", diff.new_open_relays.size());
    for (const auto& change : diff.new_open_relays) {
      out += "  " + shown(change.endpoint) + "  " +
             (change.before.empty() ? "new endpoint" : change.before + " -> open-relay") +
             "  accepted: " + script_list(change.failing_scripts) + "\n";
    }
  }
  const auto scripts = [&](const std::vector<ScriptChange>& changes) {
    for (const auto& change : changes) {
      out += "  " + shown(change.endpoint) + "  " + shown(change.script) + "  " +
             or_absent(shown(change.before)) + " -> " + or_absent(shown(change.after)) + "\n";
    }
  };
  if (!diff.newly_failing.empty()) {
    section("Newly accepted relay attempts on open relays", diff.newly_failing.size());
    scripts(diff.newly_failing);
  }
  const auto endpoints = [&](const std::vector<EndpointChange>& changes) {
    for (const auto& change : changes) {
      out += "  " + shown(change.endpoint) + "  " + or_absent(shown(change.before)) + " -> " +
             or_absent(shown(change.after)) + "\n";
    }
  };
  if (!diff.fixed.empty()) {
    section("Fixed: open relay now closed", diff.fixed.size());
    endpoints(diff.fixed);
  }
  if (!diff.no_longer_failing.empty()) {
    section("Relay attempts no longer accepted on open relays", diff.no_longer_failing.size());
    scripts(diff.no_longer_failing);
  }
  if (!diff.other_changes.empty()) {
    section("Other verdict changes", diff.other_changes.size());
    endpoints(diff.other_changes);
  }
  if (!diff.added.empty()) {
    section("Endpoints added", diff.added.size());
    endpoints(diff.added);
  }
  if (!diff.removed.empty()) {
    section("Endpoints removed", diff.removed.size());
    endpoints(diff.removed);
  }
  if (!diff.current_complete) {
    out +=
        "Note: the current scan is incomplete; a removed endpoint may just not have been "
        "audited.\n";
  }
  if (relaying_got_worse(diff)) {
    out += "Result: worse: " + plural(diff.new_open_relays.size(), "new open relay") + ", " +
           plural(diff.newly_failing.size(), "newly accepted relay attempt") + "\n";
  } else if (diff.fixed.empty() && diff.no_longer_failing.empty() && diff.other_changes.empty() &&
             diff.added.empty() && diff.removed.empty()) {
    out += "Result: no change\n";
  } else {
    out += "Result: no new open relay\n";
  }
  return out;
}

json diff_to_json(const ResultsDiff& diff) {
  const auto endpoints = [](const std::vector<EndpointChange>& changes) {
    json list = json::array();
    for (const auto& change : changes) list.push_back(change_json(change));
    return list;
  };
  const auto scripts = [](const std::vector<ScriptChange>& changes) {
    json list = json::array();
    for (const auto& change : changes) list.push_back(script_json(change));
    return list;
  };
  return {{"new_open_relays", endpoints(diff.new_open_relays)},
          {"newly_failing", scripts(diff.newly_failing)},
          {"fixed", endpoints(diff.fixed)},
          {"no_longer_failing", scripts(diff.no_longer_failing)},
          {"other_changes", endpoints(diff.other_changes)},
          {"added", endpoints(diff.added)},
          {"removed", endpoints(diff.removed)},
          {"current_complete", diff.current_complete},
          {"worse", relaying_got_worse(diff)},
          {"coverage_worse", coverage_got_worse(diff)}};
}

}  // namespace relayaudit
