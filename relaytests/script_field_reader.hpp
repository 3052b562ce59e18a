// Reads the typed fields of one relay script's JSON object, collecting every mismatch as a
// ScriptError so one run names all that is wrong with a file.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "relaytests/script_library.hpp"

namespace relayaudit {

enum class ScriptFieldPresence { optional, required, required_nonempty };

class ScriptFieldReader {
 public:
  // `known_fields`: every field a script may have; must outlive the reader.
  ScriptFieldReader(const nlohmann::json& object, std::string_view source,
                    std::span<const std::string_view> known_fields)
      : object_(object), source_(source), known_fields_(known_fields) {}

  void report(std::string field, std::string message);
  std::vector<ScriptError> take_errors() { return std::move(errors_); }

  // True when no error was reported at `field` (a JSON pointer) or inside it: later checks
  // skip a field that could not be read, so one mistake is not reported twice.
  bool intact(std::string_view field) const;

  // Typos in optional fields would otherwise pass silently as "field absent".
  void unknown_fields();

  void text(std::string_view key, ScriptFieldPresence presence, std::string& out);

  // Elements must be non-empty strings; `presence` only says whether the array itself may be absent
  // (required_nonempty: present with at least one element). `out` keeps one entry per element
  // (empty for a bad one) so indices still match the file.
  void texts(std::string_view key, ScriptFieldPresence presence, std::vector<std::string>& out);

  // Port numbers 1-65535, each listed once; absent means every port, but an empty list is
  // refused because it reads as "no port at all".
  void ports(std::string_view key, std::vector<int>& out);

  // A JSON pointer to a top-level key ("~" and "/" escaped as RFC 6901 says).
  static std::string pointer(std::string_view key);

 private:
  const nlohmann::json* find(std::string_view key) const;
  void missing(std::string_view key, ScriptFieldPresence presence);
  void wrong_type(std::string field, std::string_view expected, const nlohmann::json& value);

  const nlohmann::json& object_;
  std::string source_;
  std::span<const std::string_view> known_fields_;
  std::vector<ScriptError> errors_;
};

}  // namespace relayaudit
