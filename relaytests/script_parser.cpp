// Parsing and validation of one relay script file; every error names the source and the field.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>

#include "core/json_input.hpp"
#include "relaytests/placeholders.hpp"
#include "relaytests/script_digest.hpp"
#include "relaytests/script_library.hpp"

namespace relayaudit {

namespace {

using json = nlohmann::json;
using MaybeError = std::optional<ScriptError>;

constexpr std::array<std::string_view, 15> kFields = {
    "id",   "kind",      "trick", "title", "description", "catches", "severity", "references",
    "tags", "opened_by", "ports", "ehlo",  "mail_from",   "rcpt_to", "expect"};
constexpr std::array<std::string_view, 5> kSeverities = {"critical", "high", "medium", "low",
                                                         "info"};
// Every value, in declaration order; names come from relay_script.hpp's to_string.
constexpr std::array kKinds = {ScriptKind::relay, ScriptKind::control, ScriptKind::probe};
constexpr std::array kTricks = {ScriptTrick::baseline, ScriptTrick::sender,  ScriptTrick::recipient,
                                ScriptTrick::helo,     ScriptTrick::control, ScriptTrick::probe};
constexpr int kMaxPort = 65535;

enum class Presence { optional, required, required_nonempty };

template <std::size_t N>
std::string join(const std::array<std::string_view, N>& words) {
  std::string text;
  for (auto word : words) text += (text.empty() ? "" : ", ") + std::string(word);
  return text;
}

// Lowercase words of letters and digits joined by single hyphens: ids and tags share a namespace
// on the command line, so they share a syntax.
bool is_slug(std::string_view text) {
  if (text.empty() || text.front() == '-' || text.back() == '-') return false;
  char previous = 0;
  for (char c : text) {
    const bool word_char = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (!word_char && !(c == '-' && previous != '-')) return false;
    previous = c;
  }
  return true;
}

// Reads typed fields out of the script object, turning each mismatch into a ScriptError.
class FieldReader {
 public:
  FieldReader(const json& object, std::string_view source) : object_(object), source_(source) {}

  ScriptError error(std::string field, std::string message) const {
    return ScriptError{source_, std::move(field), std::move(message)};
  }

  // Typos in optional fields would otherwise pass silently as "field absent".
  MaybeError unknown_field() const {
    for (const auto& [key, value] : object_.items()) {
      if (std::find(kFields.begin(), kFields.end(), key) == kFields.end()) {
        return error(pointer(key), "unknown field '" + key + "' (known: " + join(kFields) + ")");
      }
    }
    return std::nullopt;
  }

  MaybeError text(std::string_view key, Presence presence, std::string& out) const {
    const json* value = find(key);
    if (!value) return missing(key, presence);
    if (!value->is_string()) return wrong_type(pointer(key), "a string", *value);
    out = value->get<std::string>();
    if (out.empty() && presence == Presence::required_nonempty) {
      return error(pointer(key), "must not be empty");
    }
    return std::nullopt;
  }

  // Elements must be non-empty strings; `presence` only says whether the array itself may be absent
  // (required_nonempty: present with at least one element).
  MaybeError texts(std::string_view key, Presence presence, std::vector<std::string>& out) const {
    const json* value = find(key);
    if (!value) return missing(key, presence);
    if (!value->is_array()) return wrong_type(pointer(key), "an array of strings", *value);
    if (value->empty() && presence == Presence::required_nonempty) {
      return error(pointer(key), "must have at least one element");
    }
    for (std::size_t i = 0; i < value->size(); ++i) {
      const auto field = pointer(key) + "/" + std::to_string(i);
      const auto& element = (*value)[i];
      if (!element.is_string()) return wrong_type(field, "a string", element);
      out.push_back(element.get<std::string>());
      if (out.back().empty()) return error(field, "must not be empty");
    }
    return std::nullopt;
  }

  // Port numbers 1-65535, each listed once; absent means every port, but an empty list is
  // refused because it reads as "no port at all".
  MaybeError ports(std::string_view key, std::vector<int>& out) const {
    const json* value = find(key);
    if (!value) return std::nullopt;
    if (!value->is_array()) return wrong_type(pointer(key), "an array of port numbers", *value);
    if (value->empty()) {
      return error(pointer(key), "must list at least one port (omit it to run on every port)");
    }
    for (std::size_t i = 0; i < value->size(); ++i) {
      const auto field = pointer(key) + "/" + std::to_string(i);
      const auto& element = (*value)[i];
      if (!element.is_number_integer()) return wrong_type(field, "a port number", element);
      // Unsigned first: a value above INT64_MAX must not wrap into range.
      const bool in_range =
          element.is_number_unsigned()
              ? element.get<std::uint64_t>() >= 1 && element.get<std::uint64_t>() <= kMaxPort
              : element.get<std::int64_t>() >= 1 && element.get<std::int64_t>() <= kMaxPort;
      if (!in_range) {
        return error(field, "must be a port number from 1 to 65535, not " + element.dump());
      }
      const int port = element.get<int>();
      if (std::find(out.begin(), out.end(), port) != out.end()) {
        return error(field, "port " + std::to_string(port) + " is listed twice");
      }
      out.push_back(port);
    }
    return std::nullopt;
  }

 private:
  // A JSON pointer to a top-level key ("~" and "/" escaped as RFC 6901 says).
  static std::string pointer(std::string_view key) {
    std::string escaped = "/";
    for (char c : key) escaped += c == '~' ? "~0" : c == '/' ? "~1" : std::string(1, c);
    return escaped;
  }

  const json* find(std::string_view key) const {
    const auto it = object_.find(std::string(key));
    return it == object_.end() ? nullptr : &*it;
  }

  MaybeError missing(std::string_view key, Presence presence) const {
    if (presence == Presence::optional) return std::nullopt;
    return error(pointer(key), "missing required field '" + std::string(key) + "'");
  }

  MaybeError wrong_type(std::string field, std::string_view expected, const json& value) const {
    return error(std::move(field),
                 "must be " + std::string(expected) + ", not " + std::string(value.type_name()));
  }

  const json& object_;
  std::string source_;
};

// The fields kept as text until check_values turns them into enums.
struct EnumTexts {
  std::string kind;
  std::string trick;
  std::string expect;
};

MaybeError read_fields(const FieldReader& reader, RelayScript& script, EnumTexts& texts) {
  using enum Presence;
  if (auto e = reader.unknown_field()) return e;
  if (auto e = reader.text("id", required_nonempty, script.id)) return e;
  if (auto e = reader.text("kind", required_nonempty, texts.kind)) return e;
  if (auto e = reader.text("trick", required_nonempty, texts.trick)) return e;
  if (auto e = reader.text("title", required_nonempty, script.title)) return e;
  if (auto e = reader.text("description", required_nonempty, script.description)) return e;
  if (auto e = reader.text("catches", optional, script.catches)) return e;
  if (auto e = reader.text("severity", required_nonempty, script.severity)) return e;
  if (auto e = reader.texts("references", optional, script.references)) return e;
  if (auto e = reader.texts("tags", optional, script.tags)) return e;
  if (auto e = reader.texts("opened_by", optional, script.opened_by)) return e;
  if (auto e = reader.ports("ports", script.ports)) return e;
  if (auto e = reader.text("ehlo", optional, script.ehlo)) return e;
  if (auto e = reader.text("mail_from", required, script.mail_from)) return e;  // "" is <>
  if (auto e = reader.texts("rcpt_to", required_nonempty, script.rcpt_to)) return e;
  if (auto e = reader.text("expect", required_nonempty, texts.expect)) return e;
  return std::nullopt;
}

// A template becomes part of an SMTP command line once expanded.
std::optional<std::string> template_problem(std::string_view text, bool is_address) {
  const bool has_control = std::any_of(text.begin(), text.end(), [](char c) {
    return static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
  });
  // CR or LF would end the command early and let the script inject another one.
  if (has_control) return "must not contain control characters";
  if (is_address && text.find_first_of("<>") != std::string_view::npos) {
    return "write the address without angle brackets; the scanner adds them";
  }
  return find_bad_placeholder(text);
}

template <typename Enum, std::size_t N>
std::optional<Enum> from_name(const std::array<Enum, N>& values, std::string_view name) {
  for (auto value : values) {
    if (to_string(value) == name) return value;
  }
  return std::nullopt;
}

template <typename Enum, std::size_t N>
std::string names(const std::array<Enum, N>& values) {
  std::array<std::string_view, N> words;
  std::transform(values.begin(), values.end(), words.begin(),
                 [](Enum value) { return to_string(value); });
  return join(words);
}

// Kind, trick and expectation must agree: the scanner reports each kind differently and handles a
// refused sender by the trick, so a mismatch would silently change what a result means.
MaybeError check_kind_trick_expect(const FieldReader& reader, RelayScript& script,
                                   const EnumTexts& texts) {
  const auto kind = from_name(kKinds, texts.kind);
  if (!kind) {
    return reader.error("/kind", "must be one of " + names(kKinds) + ", not '" + texts.kind + "'");
  }
  script.kind = *kind;
  const auto trick = from_name(kTricks, texts.trick);
  if (!trick) {
    return reader.error("/trick",
                        "must be one of " + names(kTricks) + ", not '" + texts.trick + "'");
  }
  script.trick = *trick;
  const auto expectation = expectation_from_string(texts.expect);
  if (!expectation) {
    return reader.error("/expect", "must be 'reject' or 'accept', not '" + texts.expect + "'");
  }
  script.expect = *expectation;
  switch (script.kind) {
    case ScriptKind::control:
      if (script.trick != ScriptTrick::control) {
        return reader.error("/trick",
                            "a control must have trick 'control', not '" + texts.trick + "'");
      }
      if (script.expect != Expectation::accept) {
        return reader.error("/expect", "a control must expect 'accept'");
      }
      break;
    case ScriptKind::probe:
      if (script.trick != ScriptTrick::probe) {
        return reader.error("/trick", "a probe must have trick 'probe', not '" + texts.trick + "'");
      }
      if (script.expect != Expectation::reject) {
        return reader.error("/expect", "a probe must expect 'reject'");
      }
      break;
    case ScriptKind::relay:
      if (script.trick == ScriptTrick::control || script.trick == ScriptTrick::probe) {
        return reader.error("/trick",
                            "a relay attempt must have trick baseline, sender, recipient or helo, "
                            "not '" +
                                texts.trick + "'");
      }
      if (script.expect != Expectation::reject) {
        return reader.error("/expect", "a relay attempt must expect 'reject'");
      }
      break;
  }
  return std::nullopt;
}

MaybeError check_values(const FieldReader& reader, RelayScript& script, const EnumTexts& texts) {
  if (!is_slug(script.id)) {
    return reader.error("/id", "'" + script.id +
                                   "' is not a valid id: use lowercase letters and digits "
                                   "joined by single hyphens (e.g. relay-null-sender)");
  }
  if (auto e = check_kind_trick_expect(reader, script, texts)) return e;
  if (std::find(kSeverities.begin(), kSeverities.end(), script.severity) == kSeverities.end()) {
    return reader.error("/severity",
                        "must be one of " + join(kSeverities) + ", not '" + script.severity + "'");
  }
  for (std::size_t i = 0; i < script.tags.size(); ++i) {
    if (!is_slug(script.tags[i])) {
      return reader.error("/tags/" + std::to_string(i),
                          "'" + script.tags[i] +
                              "' is not a valid tag: use lowercase letters "
                              "and digits joined by single hyphens");
    }
  }
  if (auto problem = template_problem(script.ehlo, false)) return reader.error("/ehlo", *problem);
  if (auto problem = template_problem(script.mail_from, true)) {
    return reader.error("/mail_from", *problem);
  }
  for (std::size_t i = 0; i < script.rcpt_to.size(); ++i) {
    if (auto problem = template_problem(script.rcpt_to[i], true)) {
      return reader.error("/rcpt_to/" + std::to_string(i), *problem);
    }
  }
  return std::nullopt;
}

}  // namespace

std::string ScriptError::to_string() const {
  const std::string where = line == 0 ? source : source + ":" + std::to_string(line);
  if (field.empty()) return where + ": " + message;
  return where + ": " + field + ": " + message;
}

std::variant<RelayScript, ScriptError> parse_script(std::string_view json_text,
                                                    std::string_view source) {
  auto parsed = parse_json_input(json_text);
  if (auto* problem = std::get_if<JsonInputError>(&parsed)) {
    return ScriptError{
        std::string(source), "",
        "invalid JSON at column " + std::to_string(problem->column) + ": " + problem->message,
        problem->line};
  }
  const json document = std::move(std::get<json>(parsed));
  const FieldReader reader(document, source);
  if (!document.is_object()) {
    return reader.error("",
                        "a script must be a JSON object, not " + std::string(document.type_name()));
  }
  RelayScript script;
  script.source = std::string(source);
  script.sha256 = script_digest(json_text);
  EnumTexts texts;
  if (auto e = read_fields(reader, script, texts)) return *e;
  if (auto e = check_values(reader, script, texts)) return *e;
  return script;
}

}  // namespace relayaudit
