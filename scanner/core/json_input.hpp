// JSON from outside the program (scripts, results, streams): parsed without throwing, nesting
// bounded, errors located by line and column.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <variant>

#include <nlohmann/json.hpp>

namespace relayaudit {

// Far deeper than any document relayaudit writes (results nest about 7 levels).
inline constexpr int kMaxJsonNesting = 64;

// What is wrong with the text and where: "3:17: syntax error ..." (line:column, 1-based).
struct JsonInputError {
  std::size_t line = 0;
  std::size_t column = 0;
  std::string message;
  std::string located() const;  // "line:column: message"
};

// Parses `text` as one JSON value. Never throws: invalid JSON, a number out of range (1e999),
// invalid UTF-8 or nesting deeper than kMaxJsonNesting are a JsonInputError.
std::variant<nlohmann::json, JsonInputError> parse_json_input(std::string_view text);

// 1-based line and column of byte `offset` in `text`.
std::pair<std::size_t, std::size_t> line_and_column(std::string_view text, std::size_t offset);

}  // namespace relayaudit
