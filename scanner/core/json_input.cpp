// A SAX front end to nlohmann's DOM builder that keeps the byte position of the first error.
#include "core/json_input.hpp"

#include <optional>

namespace relayaudit {
namespace {

using json = nlohmann::json;
using DomBuilder = nlohmann::detail::json_sax_dom_parser<json>;

// nlohmann's messages start with "[json.exception.parse_error.101] "; the rest is for people.
std::string without_exception_id(std::string message) {
  const auto end = message.find("] ");
  if (message.starts_with("[json.exception.") && end != std::string::npos) {
    message.erase(0, end + 2);
  }
  // The position is reported as line:column already; "parse error at line 1, column 5: " again
  // would only repeat it.
  const auto detail = message.find(": ");
  if (message.starts_with("parse error at line ") && detail != std::string::npos) {
    message.erase(0, detail + 2);
  }
  return message;
}

// Offset of the first bracket that opens level `limit + 1`, outside strings; nullopt if none.
std::optional<std::size_t> too_deep_at(std::string_view text, int limit) {
  int depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') in_string = true;
    if (c == '[' || c == '{') {
      if (++depth > limit) return i;
    }
    if ((c == ']' || c == '}') && depth > 0) --depth;
  }
  return std::nullopt;
}

// Forwards every event to the DOM builder; records where parsing failed instead of throwing.
class LocatingBuilder {
 public:
  explicit LocatingBuilder(json& result) : dom_(result, false) {}

  bool null() { return dom_.null(); }
  bool boolean(bool value) { return dom_.boolean(value); }
  bool number_integer(json::number_integer_t value) { return dom_.number_integer(value); }
  bool number_unsigned(json::number_unsigned_t value) { return dom_.number_unsigned(value); }
  bool number_float(json::number_float_t value, const json::string_t& text) {
    return dom_.number_float(value, text);
  }
  bool string(json::string_t& value) { return dom_.string(value); }
  bool binary(json::binary_t& value) { return dom_.binary(value); }
  bool start_object(std::size_t size) { return dom_.start_object(size); }
  bool key(json::string_t& value) { return dom_.key(value); }
  bool end_object() { return dom_.end_object(); }
  bool start_array(std::size_t size) { return dom_.start_array(size); }
  bool end_array() { return dom_.end_array(); }

  template <class Exception>
  bool parse_error(std::size_t position, const std::string& /*token*/, const Exception& error) {
    position_ = position;
    message_ = without_exception_id(error.what());
    return false;
  }

  std::size_t position() const { return position_; }
  const std::string& message() const { return message_; }

 private:
  DomBuilder dom_;
  std::size_t position_ = 0;
  std::string message_;
};

}  // namespace

std::string JsonInputError::located() const {
  return std::to_string(line) + ":" + std::to_string(column) + ": " + message;
}

std::pair<std::size_t, std::size_t> line_and_column(std::string_view text, std::size_t offset) {
  offset = std::min(offset, text.size());
  std::size_t line = 1;
  std::size_t line_start = 0;
  for (std::size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
  }
  return {line, offset - line_start + 1};
}

std::variant<json, JsonInputError> parse_json_input(std::string_view text) {
  // nlohmann's parser is iterative, but code that walks a document is not: refuse deep input.
  if (const auto at = too_deep_at(text, kMaxJsonNesting)) {
    const auto [line, column] = line_and_column(text, *at);
    return JsonInputError{line, column,
                          "nesting deeper than " + std::to_string(kMaxJsonNesting) + " levels"};
  }
  json result;
  LocatingBuilder builder(result);
  try {
    if (json::sax_parse(text, &builder)) return result;
  } catch (const json::exception& error) {
    // The DOM builder throws only on sizes it cannot hold; the position is not known then.
    return JsonInputError{1, 1, without_exception_id(error.what())};
  }
  // nlohmann reports how many bytes it had read: the offending one is the last of them.
  const std::size_t offset = builder.position() > 0 ? builder.position() - 1 : 0;
  const auto [line, column] = line_and_column(text, offset);
  return JsonInputError{line, column, builder.message()};
}

}  // namespace relayaudit
