// Parsing and validation of one relay script file; every error names the source and the field.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <optional>

#include "core/json_input.hpp"
#include "relaytests/placeholders.hpp"
#include "relaytests/script_digest.hpp"
#include "relaytests/script_field_reader.hpp"
#include "relaytests/script_library.hpp"

namespace relayaudit {

namespace {

using json = nlohmann::json;

constexpr std::array<std::string_view, 15> kFields = {
    "id",   "kind",      "trick", "title", "description", "catches", "severity", "references",
    "tags", "opened_by", "ports", "ehlo",  "mail_from",   "rcpt_to", "expect"};
constexpr std::array<std::string_view, 5> kSeverities = {"critical", "high", "medium", "low",
                                                         "info"};
// Every value, in declaration order; names come from relay_script.hpp's to_string.
constexpr std::array kKinds = {ScriptKind::relay, ScriptKind::control, ScriptKind::probe};
constexpr std::array kTricks = {ScriptTrick::baseline, ScriptTrick::sender,  ScriptTrick::recipient,
                                ScriptTrick::helo,     ScriptTrick::control, ScriptTrick::probe};

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

// The fields kept as text until check_values turns them into enums.
struct EnumTexts {
  std::string kind;
  std::string trick;
  std::string expect;
};

void read_fields(ScriptFieldReader& reader, RelayScript& script, EnumTexts& texts) {
  using enum ScriptFieldPresence;
  reader.unknown_fields();
  reader.text("id", required_nonempty, script.id);
  reader.text("kind", required_nonempty, texts.kind);
  reader.text("trick", required_nonempty, texts.trick);
  reader.text("title", required_nonempty, script.title);
  reader.text("description", required_nonempty, script.description);
  reader.text("catches", optional, script.catches);
  reader.text("severity", required_nonempty, script.severity);
  reader.texts("references", optional, script.references);
  reader.texts("tags", optional, script.tags);
  reader.texts("opened_by", optional, script.opened_by);
  reader.ports("ports", script.ports);
  reader.text("ehlo", optional, script.ehlo);
  reader.text("mail_from", required, script.mail_from);  // "" is <>
  reader.texts("rcpt_to", required_nonempty, script.rcpt_to);
  reader.text("expect", required_nonempty, texts.expect);
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

// Each of kind, trick and expect on its own; false when any is missing or unknown.
bool read_kind_trick_expect(ScriptFieldReader& reader, RelayScript& script,
                            const EnumTexts& texts) {
  bool known = reader.intact("/kind") && reader.intact("/trick") && reader.intact("/expect");
  if (reader.intact("/kind")) {
    if (const auto kind = from_name(kKinds, texts.kind)) {
      script.kind = *kind;
    } else {
      reader.report("/kind", "must be one of " + names(kKinds) + ", not '" + texts.kind + "'");
      known = false;
    }
  }
  if (reader.intact("/trick")) {
    if (const auto trick = from_name(kTricks, texts.trick)) {
      script.trick = *trick;
    } else {
      reader.report("/trick", "must be one of " + names(kTricks) + ", not '" + texts.trick + "'");
      known = false;
    }
  }
  if (reader.intact("/expect")) {
    if (const auto expectation = expectation_from_string(texts.expect)) {
      script.expect = *expectation;
    } else {
      reader.report("/expect", "must be 'reject' or 'accept', not '" + texts.expect + "'");
      known = false;
    }
  }
  return known;
}

// Kind, trick and expectation must agree: the scanner reports each kind differently and handles a
// refused sender by the trick, so a mismatch would silently change what a result means.
void check_kind_trick_expect(ScriptFieldReader& reader, RelayScript& script,
                             const EnumTexts& texts) {
  if (!read_kind_trick_expect(reader, script, texts)) return;
  switch (script.kind) {
    case ScriptKind::control:
      if (script.trick != ScriptTrick::control) {
        reader.report("/trick", "a control must have trick 'control', not '" + texts.trick + "'");
      }
      if (script.expect != Expectation::accept) {
        reader.report("/expect", "a control must expect 'accept'");
      }
      break;
    case ScriptKind::probe:
      if (script.trick != ScriptTrick::probe) {
        reader.report("/trick", "a probe must have trick 'probe', not '" + texts.trick + "'");
      }
      if (script.expect != Expectation::reject) {
        reader.report("/expect", "a probe must expect 'reject'");
      }
      break;
    case ScriptKind::relay:
      if (script.trick == ScriptTrick::control || script.trick == ScriptTrick::probe) {
        reader.report("/trick",
                      "a relay attempt must have trick baseline, sender, recipient or helo, "
                      "not '" +
                          texts.trick + "'");
      }
      if (script.expect != Expectation::reject) {
        reader.report("/expect", "a relay attempt must expect 'reject'");
      }
      break;
  }
}

void check_values(ScriptFieldReader& reader, RelayScript& script, const EnumTexts& texts) {
  if (reader.intact("/id") && !is_slug(script.id)) {
    reader.report("/id", "'" + script.id +
                             "' is not a valid id: use lowercase letters and digits "
                             "joined by single hyphens (e.g. relay-null-sender)");
  }
  check_kind_trick_expect(reader, script, texts);
  if (reader.intact("/severity") &&
      std::find(kSeverities.begin(), kSeverities.end(), script.severity) == kSeverities.end()) {
    reader.report("/severity",
                  "must be one of " + join(kSeverities) + ", not '" + script.severity + "'");
  }
  for (std::size_t i = 0; i < script.tags.size(); ++i) {
    const auto field = "/tags/" + std::to_string(i);
    if (reader.intact(field) && !is_slug(script.tags[i])) {
      reader.report(field, "'" + script.tags[i] +
                               "' is not a valid tag: use lowercase letters "
                               "and digits joined by single hyphens");
    }
  }
  if (auto problem = template_problem(script.ehlo, false); problem && reader.intact("/ehlo")) {
    reader.report("/ehlo", *problem);
  }
  if (auto problem = template_problem(script.mail_from, true);
      problem && reader.intact("/mail_from")) {
    reader.report("/mail_from", *problem);
  }
  for (std::size_t i = 0; i < script.rcpt_to.size(); ++i) {
    const auto field = "/rcpt_to/" + std::to_string(i);
    if (auto problem = template_problem(script.rcpt_to[i], true); problem && reader.intact(field)) {
      reader.report(field, *problem);
    }
  }
}

}  // namespace

std::string ScriptError::to_string() const {
  const std::string where = line == 0 ? source : source + ":" + std::to_string(line);
  if (field.empty()) return where + ": " + message;
  return where + ": " + field + ": " + message;
}

std::variant<RelayScript, std::vector<ScriptError>> parse_script_every_error(
    std::string_view json_text, std::string_view source) {
  auto parsed = parse_json_input(json_text);
  if (auto* problem = std::get_if<JsonInputError>(&parsed)) {
    return std::vector<ScriptError>{ScriptError{
        std::string(source), "",
        "invalid JSON at column " + std::to_string(problem->column) + ": " + problem->message,
        problem->line}};
  }
  const json document = std::move(std::get<json>(parsed));
  ScriptFieldReader reader(document, source, kFields);
  if (!document.is_object()) {
    reader.report("", "a script must be a JSON object, not " + std::string(document.type_name()));
    return reader.take_errors();
  }
  RelayScript script;
  script.source = std::string(source);
  script.sha256 = script_digest(json_text);
  EnumTexts texts;
  read_fields(reader, script, texts);
  check_values(reader, script, texts);
  auto errors = reader.take_errors();
  if (!errors.empty()) return errors;
  return script;
}

std::variant<RelayScript, ScriptError> parse_script(std::string_view json_text,
                                                    std::string_view source) {
  auto parsed = parse_script_every_error(json_text, source);
  if (auto* errors = std::get_if<std::vector<ScriptError>>(&parsed)) {
    return std::move(errors->front());
  }
  return std::move(std::get<RelayScript>(parsed));
}

}  // namespace relayaudit
