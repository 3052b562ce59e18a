// ScriptFieldReader: typed reads of a script's fields, every mismatch kept as a ScriptError.
#include "relaytests/script_field_reader.hpp"

#include <algorithm>
#include <cstdint>

namespace relayaudit {
namespace {

using json = nlohmann::json;

constexpr int kMaxScriptPort = 65535;

std::string known_field_list(std::span<const std::string_view> fields) {
  std::string text;
  for (auto field : fields) text += (text.empty() ? "" : ", ") + std::string(field);
  return text;
}

}  // namespace

void ScriptFieldReader::report(std::string field, std::string message) {
  errors_.push_back(ScriptError{source_, std::move(field), std::move(message)});
}

bool ScriptFieldReader::intact(std::string_view field) const {
  return std::none_of(errors_.begin(), errors_.end(), [&](const ScriptError& error) {
    const std::string_view reported = error.field;
    return reported == field || (reported.starts_with(field) && reported.size() > field.size() &&
                                 reported[field.size()] == '/');
  });
}

void ScriptFieldReader::unknown_fields() {
  for (const auto& [key, value] : object_.items()) {
    if (std::find(known_fields_.begin(), known_fields_.end(), key) == known_fields_.end()) {
      report(pointer(key),
             "unknown field '" + key + "' (known: " + known_field_list(known_fields_) + ")");
    }
  }
}

void ScriptFieldReader::text(std::string_view key, ScriptFieldPresence presence, std::string& out) {
  const json* value = find(key);
  if (!value) return missing(key, presence);
  if (!value->is_string()) return wrong_type(pointer(key), "a string", *value);
  out = value->get<std::string>();
  if (out.empty() && presence == ScriptFieldPresence::required_nonempty) {
    report(pointer(key), "must not be empty");
  }
}

void ScriptFieldReader::texts(std::string_view key, ScriptFieldPresence presence,
                              std::vector<std::string>& out) {
  const json* value = find(key);
  if (!value) return missing(key, presence);
  if (!value->is_array()) return wrong_type(pointer(key), "an array of strings", *value);
  if (value->empty() && presence == ScriptFieldPresence::required_nonempty) {
    report(pointer(key), "must have at least one element");
  }
  for (std::size_t i = 0; i < value->size(); ++i) {
    const auto field = pointer(key) + "/" + std::to_string(i);
    const auto& element = (*value)[i];
    out.emplace_back(element.is_string() ? element.get<std::string>() : "");
    if (!element.is_string()) {
      wrong_type(field, "a string", element);
    } else if (out.back().empty()) {
      report(field, "must not be empty");
    }
  }
}

void ScriptFieldReader::ports(std::string_view key, std::vector<int>& out) {
  const json* value = find(key);
  if (!value) return;
  if (!value->is_array()) return wrong_type(pointer(key), "an array of port numbers", *value);
  if (value->empty()) {
    report(pointer(key), "must list at least one port (omit it to run on every port)");
  }
  for (std::size_t i = 0; i < value->size(); ++i) {
    const auto field = pointer(key) + "/" + std::to_string(i);
    const auto& element = (*value)[i];
    if (!element.is_number_integer()) {
      wrong_type(field, "a port number", element);
      continue;
    }
    // Unsigned first: a value above INT64_MAX must not wrap into range.
    const bool in_range =
        element.is_number_unsigned()
            ? element.get<std::uint64_t>() >= 1 && element.get<std::uint64_t>() <= kMaxScriptPort
            : element.get<std::int64_t>() >= 1 && element.get<std::int64_t>() <= kMaxScriptPort;
    if (!in_range) {
      report(field, "must be a port number from 1 to 65535, not " + element.dump());
      continue;
    }
    const int port = element.get<int>();
    if (std::find(out.begin(), out.end(), port) != out.end()) {
      report(field, "port " + std::to_string(port) + " is listed twice");
      continue;
    }
    out.push_back(port);
  }
}

std::string ScriptFieldReader::pointer(std::string_view key) {
  std::string escaped = "/";
  for (char c : key) escaped += c == '~' ? "~0" : c == '/' ? "~1" : std::string(1, c);
  return escaped;
}

const json* ScriptFieldReader::find(std::string_view key) const {
  const auto it = object_.find(std::string(key));
  return it == object_.end() ? nullptr : &*it;
}

void ScriptFieldReader::missing(std::string_view key, ScriptFieldPresence presence) {
  if (presence == ScriptFieldPresence::optional) return;
  report(pointer(key), "missing required field '" + std::string(key) + "'");
}

void ScriptFieldReader::wrong_type(std::string field, std::string_view expected,
                                   const json& value) {
  report(std::move(field),
         "must be " + std::string(expected) + ", not " + std::string(value.type_name()));
}

}  // namespace relayaudit
