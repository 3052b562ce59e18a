// parse_script: a valid script's fields, and malformed scripts each naming source and field.
#include <gtest/gtest.h>

#include <functional>
#include <nlohmann/json.hpp>

#include "relaytests/script_library.hpp"

namespace relayaudit {
namespace {

using json = nlohmann::json;

json valid_script() {
  return json::parse(R"({
    "id": "relay-test-one",
    "kind": "relay",
    "trick": "recipient",
    "title": "A test",
    "description": "What it sends and why.",
    "catches": "An open relay.",
    "severity": "high",
    "references": ["RFC 5321 §3.6.2"],
    "tags": ["custom", "sender"],
    "opened_by": ["Postfix: mynetworks too wide"],
    "ports": [25, 587],
    "ehlo": "{scanner_ehlo}",
    "mail_from": "{ext_from}",
    "rcpt_to": ["postmaster@{target_domain}", "{ext_to}"],
    "expect": "reject"
  })");
}

ScriptError expect_error(const json& script, const std::string& source = "dir/x.json") {
  auto parsed = parse_script(script.dump(), source);
  EXPECT_TRUE(std::holds_alternative<ScriptError>(parsed)) << script.dump();
  if (!std::holds_alternative<ScriptError>(parsed)) return {};
  return std::get<ScriptError>(parsed);
}

TEST(ParseScript, ValidScriptKeepsEveryField) {
  auto parsed = parse_script(valid_script().dump(), "dir/x.json");
  ASSERT_TRUE(std::holds_alternative<RelayScript>(parsed))
      << std::get<ScriptError>(parsed).to_string();
  const auto& script = std::get<RelayScript>(parsed);
  EXPECT_EQ(script.id, "relay-test-one");
  EXPECT_EQ(script.kind, ScriptKind::relay);
  EXPECT_EQ(script.trick, ScriptTrick::recipient);
  EXPECT_EQ(script.title, "A test");
  EXPECT_EQ(script.description, "What it sends and why.");
  EXPECT_EQ(script.catches, "An open relay.");
  EXPECT_EQ(script.severity, "high");
  EXPECT_EQ(script.references, std::vector<std::string>{"RFC 5321 §3.6.2"});
  EXPECT_EQ(script.tags, (std::vector<std::string>{"custom", "sender"}));
  EXPECT_EQ(script.opened_by, std::vector<std::string>{"Postfix: mynetworks too wide"});
  EXPECT_EQ(script.ports, (std::vector<int>{25, 587}));
  EXPECT_EQ(script.ehlo, "{scanner_ehlo}");
  EXPECT_EQ(script.mail_from, "{ext_from}");
  EXPECT_EQ(script.rcpt_to, (std::vector<std::string>{"postmaster@{target_domain}", "{ext_to}"}));
  EXPECT_EQ(script.expect, Expectation::reject);
  EXPECT_EQ(script.source, "dir/x.json");
}

TEST(ParseScript, OptionalFieldsMayBeAbsentAndNullSenderIsEmpty) {
  auto script = valid_script();
  for (const char* key : {"catches", "references", "tags", "opened_by", "ports", "ehlo"}) {
    script.erase(key);
  }
  script["mail_from"] = "";
  script["kind"] = "control";
  script["trick"] = "control";
  script["expect"] = "accept";
  auto parsed = parse_script(script.dump(), "x.json");
  ASSERT_TRUE(std::holds_alternative<RelayScript>(parsed))
      << std::get<ScriptError>(parsed).to_string();
  EXPECT_EQ(std::get<RelayScript>(parsed).mail_from, "");
  EXPECT_EQ(std::get<RelayScript>(parsed).kind, ScriptKind::control);
  EXPECT_EQ(std::get<RelayScript>(parsed).trick, ScriptTrick::control);
  EXPECT_EQ(std::get<RelayScript>(parsed).expect, Expectation::accept);
  EXPECT_TRUE(std::get<RelayScript>(parsed).ports.empty()) << "absent ports: every port";
}

TEST(ParseScript, EveryKindAndTrickCombinationThatIsAllowed) {
  struct Combination {
    const char* kind;
    const char* trick;
    const char* expect;
    ScriptKind parsed_kind;
    ScriptTrick parsed_trick;
  };
  const Combination allowed[] = {
      {"relay", "baseline", "reject", ScriptKind::relay, ScriptTrick::baseline},
      {"relay", "sender", "reject", ScriptKind::relay, ScriptTrick::sender},
      {"relay", "recipient", "reject", ScriptKind::relay, ScriptTrick::recipient},
      {"relay", "helo", "reject", ScriptKind::relay, ScriptTrick::helo},
      {"control", "control", "accept", ScriptKind::control, ScriptTrick::control},
      {"probe", "probe", "reject", ScriptKind::probe, ScriptTrick::probe},
  };
  for (const auto& combination : allowed) {
    SCOPED_TRACE(std::string(combination.kind) + "/" + combination.trick);
    auto script = valid_script();
    script["kind"] = combination.kind;
    script["trick"] = combination.trick;
    script["expect"] = combination.expect;
    auto parsed = parse_script(script.dump(), "x.json");
    ASSERT_TRUE(std::holds_alternative<RelayScript>(parsed))
        << std::get<ScriptError>(parsed).to_string();
    EXPECT_EQ(std::get<RelayScript>(parsed).kind, combination.parsed_kind);
    EXPECT_EQ(std::get<RelayScript>(parsed).trick, combination.parsed_trick);
  }
}

TEST(ParseScript, RoutingSyntaxIsAllowedInAddresses) {
  // Only control characters and angle brackets are refused: the address-form tricks need the rest.
  for (const char* address :
       {"\"{ext_user}@{ext_domain}\"", "{ext_domain}!{ext_user}@{target_ip}",
        "{ext_user}%{ext_domain}@", "@{target_host}:{ext_user}@{ext_domain}",
        "{ext_user}@{ext_domain}@{target_ip}", "\"{ext_user}%{ext_domain}\""}) {
    SCOPED_TRACE(address);
    auto script = valid_script();
    script["rcpt_to"] = json::array({address});
    script["mail_from"] = address;
    auto parsed = parse_script(script.dump(), "x.json");
    ASSERT_TRUE(std::holds_alternative<RelayScript>(parsed))
        << std::get<ScriptError>(parsed).to_string();
    EXPECT_EQ(std::get<RelayScript>(parsed).rcpt_to, std::vector<std::string>{address});
  }
}

struct Malformed {
  const char* what;
  std::function<void(json&)> change;
  std::string field;
  std::string message;  // substring
};

TEST(ParseScript, MalformedScriptsNameSourceAndField) {
  const Malformed cases[] = {
      {"missing id", [](json& s) { s.erase("id"); }, "/id", "missing required field 'id'"},
      {"missing rcpt_to", [](json& s) { s.erase("rcpt_to"); }, "/rcpt_to",
       "missing required field 'rcpt_to'"},
      {"missing mail_from", [](json& s) { s.erase("mail_from"); }, "/mail_from",
       "missing required field 'mail_from'"},
      {"wrong type", [](json& s) { s["title"] = 7; }, "/title", "must be a string, not number"},
      {"rcpt_to not array", [](json& s) { s["rcpt_to"] = "{ext_to}"; }, "/rcpt_to",
       "must be an array of strings, not string"},
      {"rcpt_to empty", [](json& s) { s["rcpt_to"] = json::array(); }, "/rcpt_to",
       "must have at least one element"},
      {"wrong element type", [](json& s) { s["tags"][1] = true; }, "/tags/1",
       "must be a string, not boolean"},
      {"empty title", [](json& s) { s["title"] = ""; }, "/title", "must not be empty"},
      {"bad id", [](json& s) { s["id"] = "Relay_Test"; }, "/id", "'Relay_Test' is not a valid id"},
      {"double hyphen id", [](json& s) { s["id"] = "relay--x"; }, "/id", "is not a valid id"},
      {"bad tag", [](json& s) { s["tags"][0] = "Core"; }, "/tags/0", "is not a valid tag"},
      {"unknown key", [](json& s) { s["expects"] = "reject"; }, "/expects",
       "unknown field 'expects'"},
      {"unknown placeholder", [](json& s) { s["rcpt_to"][0] = "{ext_usr}@x"; }, "/rcpt_to/0",
       "unknown placeholder {ext_usr}"},
      {"unbalanced brace", [](json& s) { s["mail_from"] = "{ext_from"; }, "/mail_from",
       "unbalanced '{'"},
      {"bad ehlo placeholder", [](json& s) { s["ehlo"] = "{host}"; }, "/ehlo",
       "unknown placeholder {host}"},
      {"angle brackets", [](json& s) { s["rcpt_to"][1] = "<{ext_to}>"; }, "/rcpt_to/1",
       "without angle brackets"},
      {"CRLF injection", [](json& s) { s["mail_from"] = "a@b\r\nRCPT TO:<x@y>"; }, "/mail_from",
       "control characters"},
      {"control expects reject",
       [](json& s) {
         s["kind"] = "control";
         s["trick"] = "control";
         s["expect"] = "reject";
       },
       "/expect", "a control must expect 'accept'"},
      {"relay expects accept", [](json& s) { s["expect"] = "accept"; }, "/expect",
       "a relay attempt must expect 'reject'"},
      {"bad kind", [](json& s) { s["kind"] = "attack"; }, "/kind",
       "must be one of relay, control, probe, not 'attack'"},
      {"missing trick", [](json& s) { s.erase("trick"); }, "/trick",
       "missing required field 'trick'"},
      {"trick not a string", [](json& s) { s["trick"] = 1; }, "/trick",
       "must be a string, not number"},
      {"bad trick", [](json& s) { s["trick"] = "percent"; }, "/trick",
       "must be one of baseline, sender, recipient, helo, control, probe, not 'percent'"},
      {"relay with control trick", [](json& s) { s["trick"] = "control"; }, "/trick",
       "a relay attempt must have trick baseline, sender, recipient or helo, not 'control'"},
      {"relay with probe trick", [](json& s) { s["trick"] = "probe"; }, "/trick",
       "a relay attempt must have trick baseline, sender, recipient or helo, not 'probe'"},
      {"control with relay trick",
       [](json& s) {
         s["kind"] = "control";
         s["expect"] = "accept";
       },
       "/trick", "a control must have trick 'control', not 'recipient'"},
      {"probe with relay trick", [](json& s) { s["kind"] = "probe"; }, "/trick",
       "a probe must have trick 'probe', not 'recipient'"},
      {"probe expects accept",
       [](json& s) {
         s["kind"] = "probe";
         s["trick"] = "probe";
         s["expect"] = "accept";
       },
       "/expect", "a probe must expect 'reject'"},
      {"ports not an array", [](json& s) { s["ports"] = 587; }, "/ports",
       "must be an array of port numbers, not number"},
      {"ports empty", [](json& s) { s["ports"] = json::array(); }, "/ports",
       "must list at least one port"},
      {"port as string", [](json& s) { s["ports"][1] = "587"; }, "/ports/1",
       "must be a port number, not string"},
      {"port as float", [](json& s) { s["ports"][0] = 25.5; }, "/ports/0",
       "must be a port number, not number"},
      {"port zero", [](json& s) { s["ports"][0] = 0; }, "/ports/0",
       "must be a port number from 1 to 65535, not 0"},
      {"port negative", [](json& s) { s["ports"][1] = -25; }, "/ports/1",
       "must be a port number from 1 to 65535, not -25"},
      {"port too large", [](json& s) { s["ports"][1] = 65536; }, "/ports/1",
       "must be a port number from 1 to 65535, not 65536"},
      {"port beyond int64", [](json& s) { s["ports"][1] = 18446744073709551615u; }, "/ports/1",
       "must be a port number from 1 to 65535, not 18446744073709551615"},
      {"port twice",
       [](json& s) {
         s["ports"] = json::array({587, 465, 587});
       },
       "/ports/2", "port 587 is listed twice"},
      {"bad severity", [](json& s) { s["severity"] = "severe"; }, "/severity",
       "must be one of critical, high, medium, low, info"},
      {"bad expect", [](json& s) { s["expect"] = "deny"; }, "/expect",
       "must be 'reject' or 'accept', not 'deny'"},
  };
  for (const auto& bad : cases) {
    SCOPED_TRACE(bad.what);
    auto script = valid_script();
    bad.change(script);
    const auto error = expect_error(script);
    EXPECT_EQ(error.source, "dir/x.json");
    EXPECT_EQ(error.field, bad.field);
    EXPECT_NE(error.message.find(bad.message), std::string::npos) << error.message;
    EXPECT_EQ(error.to_string(), "dir/x.json: " + bad.field + ": " + error.message);
  }
}

TEST(ParseScript, BrokenJsonNamesSourceLineAndColumn) {
  auto parsed = parse_script("{\"id\": \"x\",, }", "dir/broken.json");
  ASSERT_TRUE(std::holds_alternative<ScriptError>(parsed));
  const auto& error = std::get<ScriptError>(parsed);
  EXPECT_EQ(error.source, "dir/broken.json");
  EXPECT_EQ(error.field, "");
  EXPECT_EQ(error.line, 1u);
  EXPECT_NE(error.message.find("invalid JSON at column 12"), std::string::npos) << error.message;
  EXPECT_EQ(error.message.find("[json.exception"), std::string::npos) << error.message;
  EXPECT_EQ(error.to_string(), "dir/broken.json:1: " + error.message);
}

// nlohmann reports these as out_of_range, not parse_error: they used to abort the program.
TEST(ParseScript, NumbersOutOfRangeAndDeepNestingAreErrorsWithTheLine) {
  const std::vector<std::string> texts = {
      "{\n\"id\": 1e999}", "{\n\"ports\": [-1e400]}",
      "{\n\"x\": " + std::string(100, '[') + std::string(100, ']') + "}"};
  for (const std::string& text : texts) {
    SCOPED_TRACE(text);
    auto parsed = parse_script(text, "dir/range.json");
    ASSERT_TRUE(std::holds_alternative<ScriptError>(parsed));
    EXPECT_TRUE(std::get<ScriptError>(parsed).to_string().starts_with("dir/range.json:2: "))
        << std::get<ScriptError>(parsed).to_string();
  }
}

TEST(ParseScript, TopLevelMustBeAnObject) {
  auto parsed = parse_script("[1, 2]", "a.json");
  ASSERT_TRUE(std::holds_alternative<ScriptError>(parsed));
  EXPECT_EQ(std::get<ScriptError>(parsed).to_string(),
            "a.json: a script must be a JSON object, not array");
}

TEST(ParseScript, UnknownKeyIsEscapedAsJsonPointer) {
  auto script = valid_script();
  script["a/b~c"] = 1;
  EXPECT_EQ(expect_error(script).field, "/a~1b~0c");
}

// The fields of every error, in the order parse_script_every_error reports them.
std::vector<std::string> every_error_field(const json& script) {
  auto parsed = parse_script_every_error(script.dump(), "dir/x.json");
  std::vector<std::string> fields;
  if (auto* errors = std::get_if<std::vector<ScriptError>>(&parsed)) {
    for (const auto& error : *errors) fields.push_back(error.field);
  }
  return fields;
}

TEST(ParseScriptEveryError, EachMistakeIsReportedOnceWithItsPointer) {
  auto script = valid_script();
  script.erase("title");
  script["tags"] = json::array({5, "Bad Tag", "fine"});
  script["ports"] = json::array({0, 25, 25});
  script["kind"] = "relais";
  script["rcpt_to"] = json::array({"{ext_to}", "{nope}"});
  const std::vector<std::string> expected = {"/title", "/tags/0", "/ports/0",  "/ports/2",
                                             "/kind",  "/tags/1", "/rcpt_to/1"};
  EXPECT_EQ(every_error_field(script), expected);
  // parse_script keeps reporting the first of them.
  EXPECT_EQ(expect_error(script).field, "/title");
}

TEST(ParseScriptEveryError, AValidScriptHasNoError) {
  EXPECT_TRUE(every_error_field(valid_script()).empty());
  EXPECT_TRUE(std::holds_alternative<RelayScript>(
      parse_script_every_error(valid_script().dump(), "dir/x.json")));
}

}  // namespace
}  // namespace relayaudit
