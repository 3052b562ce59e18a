// The 1.x -> 2.0 reading of results documents and endpoint stream lines.
#include "reports/results_upgrade.hpp"

#include <string>
#include <vector>

#include "reports/transcript_merge.hpp"

namespace relayaudit {
namespace {

using nlohmann::json;

constexpr const char* kScriptFacts[] = {"title", "kind", "trick", "tags", "severity", "expect"};

void drop_reply_text(json& reply) {
  if (reply.is_object()) reply.erase("text");
}

void upgrade_replies(json& endpoint) {
  if (endpoint.contains("banner")) drop_reply_text(endpoint["banner"]);
  if (endpoint.contains("ehlo") && endpoint["ehlo"].is_object()) {
    drop_reply_text(endpoint["ehlo"]["reply"]);
  }
  if (!endpoint.contains("tests") || !endpoint["tests"].is_array()) return;
  for (json& test : endpoint["tests"]) {
    if (!test.is_object()) continue;
    if (test.contains("reply")) drop_reply_text(test["reply"]);
    if (test.contains("data_reply")) drop_reply_text(test["data_reply"]);
    if (!test.contains("refused_senders") || !test["refused_senders"].is_array()) continue;
    for (json& refused : test["refused_senders"]) {
      if (refused.is_object() && refused.contains("reply")) drop_reply_text(refused["reply"]);
    }
  }
}

Direction direction_of(const json& line) {
  const std::string dir = line.value("dir", std::string());
  if (dir == "C") return Direction::client;
  if (dir == "S") return Direction::server;
  return Direction::note;
}

// A 1.x line for matching; its escaped flag is part of the text, since "\xff" reads two ways.
TranscriptLine matchable(const json& line) {
  TranscriptLine out;
  if (!line.is_object()) return out;
  const json& ms = line.value("t_ms", json(0));
  const json& session = line.value("session", json(0));
  out.at_ms = ms.is_number_integer() ? ms.get<std::int64_t>() : 0;
  out.session = session.is_number_integer() ? session.get<int>() : 0;
  out.direction = direction_of(line);
  out.line = (line.value("escaped", false) ? "e" : "-") + line.value("line", std::string());
  return out;
}

// {"t_ms", "session", "dir", "line", "escaped"} -> [t_ms, session, dir, line(, true)].
json line_tuple(const json& line) {
  if (!line.is_object()) return line;
  json tuple = json::array({line.value("t_ms", json(0)), line.value("session", json(0)),
                            line.value("dir", json("*")), line.value("line", json(""))});
  if (line.value("escaped", false)) tuple.push_back(true);
  return tuple;
}

const json& array_at(const json& object, const char* key) {
  static const json kEmpty = json::array();
  if (!object.is_object()) return kEmpty;
  const auto found = object.find(key);
  return found != object.end() && found->is_array() ? *found : kEmpty;
}

Transcript matchable_lines(const json& lines) {
  Transcript out;
  out.reserve(lines.size());
  for (const json& line : lines) out.push_back(matchable(line));
  return out;
}

// Whether anything is in the 1.x form: a line object, or a test with its own transcript.
bool has_1x_transcripts(const json& endpoint, const json& tests) {
  for (const json& line : array_at(endpoint, "transcript")) {
    if (line.is_object()) return true;
  }
  for (const json& test : tests) {
    if (test.is_object() && test.contains("transcript")) return true;
  }
  return false;
}

void upgrade_transcripts(json& endpoint) {
  const json& endpoint_lines = array_at(endpoint, "transcript");
  const bool tests_listed = endpoint.contains("tests") && endpoint["tests"].is_array();
  const json no_tests = json::array();
  const json& tests = tests_listed ? endpoint["tests"] : no_tests;
  if (!has_1x_transcripts(endpoint, tests)) return;
  const Transcript endpoint_matchable = matchable_lines(endpoint_lines);
  std::vector<Transcript> test_matchable;
  test_matchable.reserve(tests.size());
  for (const json& test : tests)
    test_matchable.push_back(matchable_lines(array_at(test, "transcript")));
  std::vector<const Transcript*> test_pointers;
  for (const Transcript& lines : test_matchable) test_pointers.push_back(&lines);
  const MergedTranscript merged = merge_transcripts(endpoint_matchable, test_pointers);

  json transcript = json::array();
  for (const LineSource& source : merged.lines) {
    const json& from = source.test < 0
                           ? endpoint_lines
                           : array_at(tests[static_cast<std::size_t>(source.test)], "transcript");
    transcript.push_back(line_tuple(from[source.index]));
  }
  if (tests_listed) {
    for (std::size_t i = 0; i < endpoint["tests"].size(); ++i) {
      json& test = endpoint["tests"][i];
      if (!test.is_object()) continue;
      json ranges = json::array();
      for (const LineRange& range : merged.ranges[i]) {
        ranges.push_back(json::array({range.first, range.count}));
      }
      test.erase("transcript");
      test["lines"] = std::move(ranges);
    }
  }
  endpoint["transcript"] = std::move(transcript);
}

void move_script_facts(json& endpoint, json& scripts) {
  if (!endpoint.contains("tests") || !endpoint["tests"].is_array()) return;
  for (json& test : endpoint["tests"]) {
    if (!test.is_object() || !test.contains("id") || !test["id"].is_string()) continue;
    json& entry = scripts[test["id"].get<std::string>()];
    if (!entry.is_object()) entry = json::object();
    const bool described = entry.contains("title");
    for (const char* fact : kScriptFacts) {
      const auto found = test.find(fact);
      if (found == test.end()) continue;
      if (!described) entry[fact] = *found;
      test.erase(found);
    }
  }
}

}  // namespace

bool is_results_1x(const json& document) {
  if (!document.is_object()) return false;
  const auto version = document.find("schema_version");
  return version != document.end() && version->is_string() &&
         version->get_ref<const std::string&>().rfind("1.", 0) == 0;
}

json upgrade_endpoint(json endpoint, json& scripts) {
  if (!endpoint.is_object()) return endpoint;
  if (!scripts.is_object()) scripts = json::object();
  upgrade_replies(endpoint);
  upgrade_transcripts(endpoint);
  move_script_facts(endpoint, scripts);
  return endpoint;
}

json upgrade_results(json document) {
  if (!document.is_object()) return document;
  json scripts = json::object();
  if (document.contains("endpoints") && document["endpoints"].is_array()) {
    for (json& endpoint : document["endpoints"]) {
      endpoint = upgrade_endpoint(std::move(endpoint), scripts);
    }
  }
  // Scripts listed by id that no test ran are still scripts of the plan.
  for (const json& id : array_at(document, "scripts")) {
    if (id.is_string() && !scripts.contains(id.get<std::string>())) {
      scripts[id.get<std::string>()] = json::object();
    }
  }
  if (document.contains("run") && document["run"].is_object()) {
    json& run = document["run"];
    for (const json& script : array_at(run, "scripts")) {
      if (!script.is_object() || !script.contains("id") || !script["id"].is_string()) continue;
      json& entry = scripts[script["id"].get<std::string>()];
      if (!entry.is_object()) entry = json::object();
      for (const char* fact : {"source", "sha256"}) {
        if (script.contains(fact)) entry[fact] = script[fact];
      }
    }
    run.erase("scripts");
  }
  document["scripts"] = std::move(scripts);
  return document;
}

}  // namespace relayaudit
