// Writes JSON text straight into a string, with no tree in between: the finished-endpoint path
// serialises every endpoint once, and a tree cost three quarters of that time (malloc, destroy).
// The text is what nlohmann::json::dump() writes for the same values (no whitespace; control
// characters as \u00xx), so a document parsed and dumped again is byte for byte the same.
// Keys are written in the order given: callers give them sorted, as nlohmann's objects are.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace relayaudit {

class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) : out_(out) {}

  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  // The next value is this member's.
  JsonWriter& key(std::string_view name);
  // `text` must be valid UTF-8 (escape_invalid_utf8 first for anything from the network).
  JsonWriter& string(std::string_view text);
  JsonWriter& number(std::int64_t value);
  JsonWriter& boolean(bool value);
  JsonWriter& null();
  // Already serialised JSON, written as one value.
  JsonWriter& raw(std::string_view json);

 private:
  void before_value();

  std::string& out_;
  std::vector<bool> first_in_container_;
  bool after_key_ = false;
};

// `text` as a JSON string literal, quotes included, appended to `out`.
void append_json_string(std::string& out, std::string_view text);

}  // namespace relayaudit
