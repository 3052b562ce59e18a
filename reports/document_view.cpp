// Tolerant reads of script facts and test transcripts in a results document.
#include "reports/document_view.hpp"

#include <algorithm>

namespace relayaudit {
namespace {

using nlohmann::json;

const json& empty_object() {
  static const json kEmpty = json::object();
  return kEmpty;
}

const json& empty_array() {
  static const json kEmpty = json::array();
  return kEmpty;
}

const json& member(const json& object, std::string_view key) {
  if (!object.is_object()) return empty_object();
  const auto found = object.find(key);
  return found == object.end() ? empty_object() : *found;
}

const json& element(const json& line, std::size_t index) {
  static const json kNull;
  return line.is_array() && index < line.size() ? line[index] : kNull;
}

}  // namespace

const json& script_of(const json& results, const json& test) {
  const json& id = member(test, "id");
  if (!id.is_string()) return empty_object();
  const json& entry = member(member(results, "scripts"), id.get_ref<const std::string&>());
  return entry.is_object() ? entry : empty_object();
}

std::string script_fact(const json& results, const json& test, std::string_view fact) {
  const json& value = member(script_of(results, test), fact);
  return value.is_string() ? value.get<std::string>() : "";
}

const json& script_tags(const json& results, const json& test) {
  const json& tags = member(script_of(results, test), "tags");
  return tags.is_array() ? tags : empty_array();
}

std::vector<const json*> test_lines(const json& endpoint, const json& test) {
  std::vector<const json*> lines;
  const json& transcript = member(endpoint, "transcript");
  const json& ranges = member(test, "lines");
  if (!transcript.is_array() || !ranges.is_array()) return lines;
  for (const json& range : ranges) {
    if (!range.is_array() || range.size() != 2 || !range[0].is_number_integer() ||
        !range[1].is_number_integer() || range[0] < 0 || range[1] < 0) {
      continue;
    }
    const auto first = std::min<std::size_t>(range[0].get<std::size_t>(), transcript.size());
    const auto count =
        std::min<std::size_t>(range[1].get<std::size_t>(), transcript.size() - first);
    for (std::size_t i = first; i < first + count; ++i) lines.push_back(&transcript[i]);
  }
  return lines;
}

std::vector<const json*> endpoint_lines(const json& endpoint) {
  std::vector<const json*> lines;
  const json& transcript = member(endpoint, "transcript");
  if (!transcript.is_array()) return lines;
  for (const json& line : transcript) lines.push_back(&line);
  return lines;
}

std::int64_t line_ms(const json& line) {
  const json& value = element(line, 0);
  return value.is_number_integer() ? value.get<std::int64_t>() : 0;
}

std::int64_t line_session(const json& line) {
  const json& value = element(line, 1);
  return value.is_number_integer() ? value.get<std::int64_t>() : 0;
}

std::string line_direction(const json& line) {
  const json& value = element(line, 2);
  return value.is_string() ? value.get<std::string>() : "";
}

std::string line_text(const json& line) {
  const json& value = element(line, 3);
  return value.is_string() ? value.get<std::string>() : "";
}

bool line_escaped(const json& line) {
  return element(line, 4) == true;
}

bool ran_over_tls(const json& test) {
  return member(test, "path") == "tls";
}

}  // namespace relayaudit
