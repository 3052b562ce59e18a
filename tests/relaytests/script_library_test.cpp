// The script library: built-in scripts and their families, user directories, ids, selection.
#include "relaytests/script_library.hpp"
#include "support/temp_dir.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <string_view>

namespace relayaudit {
namespace {

namespace fs = std::filesystem;

using testing::TempDir;

std::string script_json(const std::string& id, const std::string& tag = "custom") {
  return R"({"id": ")" + id + R"(", "kind": "relay", "trick": "baseline", "title": "t",
             "description": "d",
             "severity": "low", "tags": [")" +
         tag + R"("], "mail_from": "{ext_from}", "rcpt_to": ["{ext_to}"], "expect": "reject"})";
}

const RelayScript* find_script(const std::vector<RelayScript>& scripts, const std::string& id) {
  for (const auto& script : scripts) {
    if (script.id == id) return &script;
  }
  return nullptr;
}

bool has_tag(const RelayScript& script, std::string_view tag) {
  return std::find(script.tags.begin(), script.tags.end(), tag) != script.tags.end();
}

TEST(BuiltinScripts, EveryShippedFileParsesWithItsFields) {
  const auto& scripts = builtin_scripts();  // throws std::logic_error on a bad built-in
  std::size_t json_files = 0;
  for (const auto& entry :
       fs::recursive_directory_iterator(fs::path(RELAYAUDIT_SOURCE_DIR) / "relaytests")) {
    if (entry.path().extension() == ".json") ++json_files;
  }
  EXPECT_EQ(scripts.size(), json_files) << "every relaytests/**/*.json is embedded";
  EXPECT_GE(scripts.size(), 31u);
  EXPECT_TRUE(std::is_sorted(scripts.begin(), scripts.end(),
                             [](const auto& a, const auto& b) { return a.id < b.id; }));
  std::set<std::string> ids;
  for (const auto& script : scripts) {
    SCOPED_TRACE(script.id);
    EXPECT_TRUE(ids.insert(script.id).second) << "duplicate id";
    EXPECT_TRUE(script.source.starts_with("builtin:")) << script.source;
    EXPECT_FALSE(script.title.empty());
    EXPECT_FALSE(script.description.empty());
    EXPECT_FALSE(script.catches.empty());
    EXPECT_FALSE(script.references.empty());
    EXPECT_FALSE(script.opened_by.empty());
    EXPECT_FALSE(script.rcpt_to.empty());
    EXPECT_FALSE(script.tags.empty());
  }
}

// The decisive RCPT TO uses routing syntax: %, !, quotes, a second @, a source route or a
// trailing @. The placeholders stand for plain addresses and names, so the template shows it.
bool uses_routing_syntax(std::string_view address) {
  const auto ats = std::count(address.begin(), address.end(), '@');
  return address.find_first_of("%!\"") != std::string_view::npos || ats > 1 ||
         address.starts_with('@') || address.ends_with('@');
}

TEST(BuiltinScripts, EachFamilyFollowsItsRules) {
  for (const auto& script : builtin_scripts()) {
    SCOPED_TRACE(script.id);
    const auto& decisive = script.rcpt_to.back();
    switch (script.kind) {
      case ScriptKind::relay:
        EXPECT_TRUE(script.id.starts_with("relay-"));
        EXPECT_EQ(script.expect, Expectation::reject);
        EXPECT_TRUE(script.trick == ScriptTrick::baseline || script.trick == ScriptTrick::sender ||
                    script.trick == ScriptTrick::recipient || script.trick == ScriptTrick::helo);
        EXPECT_NE(script.severity, "info");
        break;
      case ScriptKind::control:
        EXPECT_TRUE(script.id.starts_with("control-"));
        EXPECT_EQ(script.trick, ScriptTrick::control);
        EXPECT_TRUE(has_tag(script, "control"));
        EXPECT_EQ(script.severity, "info");
        break;
      case ScriptKind::probe:
        EXPECT_TRUE(script.id.starts_with("probe-"));
        EXPECT_EQ(script.trick, ScriptTrick::probe);
        EXPECT_EQ(script.expect, Expectation::reject);
        EXPECT_TRUE(has_tag(script, "probe"));
        EXPECT_EQ(script.severity, "info");
        break;
    }
    // The family tag, so "--tests sender" (and so on) picks the whole family.
    switch (script.trick) {
      case ScriptTrick::sender:
        EXPECT_TRUE(has_tag(script, "sender"));
        EXPECT_EQ(decisive, "{ext_to}") << "a sender trick varies only the sender";
        break;
      case ScriptTrick::recipient:
        EXPECT_TRUE(has_tag(script, "recipient"));
        // The sender is incidental, or the null sender for a twin tagged so.
        EXPECT_EQ(script.mail_from, has_tag(script, "null-sender") ? "" : "{ext_from}");
        break;
      case ScriptTrick::helo:
        EXPECT_TRUE(has_tag(script, "helo"));
        EXPECT_FALSE(script.ehlo.empty());
        EXPECT_EQ(script.mail_from, "{ext_from}");
        EXPECT_EQ(decisive, "{ext_to}");
        break;
      case ScriptTrick::baseline:
        EXPECT_EQ(script.mail_from, "{ext_from}");
        EXPECT_EQ(decisive, "{ext_to}");
        break;
      case ScriptTrick::control:
      case ScriptTrick::probe:
        break;
    }
    if (script.trick != ScriptTrick::helo) {
      EXPECT_TRUE(script.ehlo.empty());
    }
    if (script.trick == ScriptTrick::recipient && uses_routing_syntax(decisive)) {
      EXPECT_TRUE(has_tag(script, "address-form")) << decisive;
    }
    if (has_tag(script, "address-form")) {
      EXPECT_EQ(script.trick, ScriptTrick::recipient);
      EXPECT_TRUE(uses_routing_syntax(decisive)) << decisive;
    }
    // Exactly the six original scripts form the "core" set.
    const bool core =
        script.source.starts_with("builtin:core/") && script.kind != ScriptKind::probe;
    EXPECT_EQ(has_tag(script, "core"), core);
  }
}

TEST(BuiltinScripts, TheLibrary) {
  struct Expected {
    const char* id;
    const char* dir;
    ScriptKind kind;
    ScriptTrick trick;
    const char* severity;
    const char* ehlo;
    const char* mail_from;
    const char* rcpt_to;                  // the last (decisive) recipient
    const char* first_rcpt_to = nullptr;  // a recipient before it in the same transaction
  };
  using enum ScriptKind;
  using T = ScriptTrick;
  const Expected library[] = {
      // The core set.
      {"relay-external-sender", "core", relay, T::baseline, "critical", "", "{ext_from}",
       "{ext_to}"},
      {"relay-null-sender", "core", relay, T::sender, "critical", "", "", "{ext_to}"},
      {"relay-spoofed-local-sender", "core", relay, T::sender, "high", "",
       "{ext_from_user}@{target_sender_domain}", "{ext_to}"},
      {"relay-ip-literal-sender", "core", relay, T::sender, "high", "",
       "{ext_from_user}@{target_ip}", "{ext_to}"},
      {"relay-percent-hack-ip", "core", relay, T::recipient, "critical", "", "{ext_from}",
       "{ext_user}%{ext_domain}@{target_ip}"},
      {"control-postmaster", "core", control, T::control, "info", "", "{ext_from}",
       "postmaster@{target_domain}"},
      // Sender tricks.
      {"relay-random-host-sender", "sender", relay, T::sender, "medium", "",
       "{ext_from_user}@{random}.{ext_from_domain}", "{ext_to}"},
      {"relay-localhost-sender", "sender", relay, T::sender, "high", "",
       "{ext_from_user}@localhost", "{ext_to}"},
      {"relay-unqualified-sender", "sender", relay, T::sender, "high", "", "{ext_from_user}",
       "{ext_to}"},
      {"relay-host-name-sender", "sender", relay, T::sender, "high", "",
       "{ext_from_user}@{target_host}", "{ext_to}"},
      {"relay-postmaster-sender", "sender", relay, T::sender, "high", "",
       "postmaster@{target_host}", "{ext_to}"},
      // Recipient tricks.
      {"relay-percent-hack-name", "recipient", relay, T::recipient, "critical", "", "{ext_from}",
       "{ext_user}%{ext_domain}@{target_host}"},
      {"relay-quoted-at", "recipient", relay, T::recipient, "critical", "", "{ext_from}",
       "\"{ext_user}@{ext_domain}\""},
      {"relay-quoted-percent", "recipient", relay, T::recipient, "critical", "", "{ext_from}",
       "\"{ext_user}%{ext_domain}\""},
      {"relay-double-at-ip", "recipient", relay, T::recipient, "critical", "", "{ext_from}",
       "{ext_user}@{ext_domain}@{target_ip}"},
      {"relay-double-at-name", "recipient", relay, T::recipient, "critical", "", "{ext_from}",
       "{ext_user}@{ext_domain}@{target_host}"},
      {"relay-quoted-at-ip", "recipient", relay, T::recipient, "critical", "", "{ext_from}",
       "\"{ext_user}@{ext_domain}\"@{target_ip}"},
      {"relay-quoted-at-name", "recipient", relay, T::recipient, "critical", "", "{ext_from}",
       "\"{ext_user}@{ext_domain}\"@{target_host}"},
      {"relay-source-route-ip", "recipient", relay, T::recipient, "critical", "", "{ext_from}",
       "@{target_ip}:{ext_user}@{ext_domain}"},
      {"relay-source-route-name", "recipient", relay, T::recipient, "critical", "", "{ext_from}",
       "@{target_host}:{ext_user}@{ext_domain}"},
      {"relay-bang-path", "recipient", relay, T::recipient, "critical", "", "{ext_from}",
       "{ext_domain}!{ext_user}"},
      {"relay-bang-path-ip", "recipient", relay, T::recipient, "critical", "", "{ext_from}",
       "{ext_domain}!{ext_user}@{target_ip}"},
      {"relay-bang-path-name", "recipient", relay, T::recipient, "critical", "", "{ext_from}",
       "{ext_domain}!{ext_user}@{target_host}"},
      // The same forms at the mail domain, where only a known mail domain runs them.
      {"relay-percent-hack-domain", "recipient", relay, T::recipient, "critical", "", "{ext_from}",
       "{ext_user}%{ext_domain}@{target_domain}"},
      {"relay-bang-path-domain", "recipient", relay, T::recipient, "critical", "", "{ext_from}",
       "{ext_domain}!{ext_user}@{target_domain}"},
      {"relay-double-at-domain", "recipient", relay, T::recipient, "critical", "", "{ext_from}",
       "{ext_user}@{ext_domain}@{target_domain}"},
      {"relay-quoted-at-domain", "recipient", relay, T::recipient, "critical", "", "{ext_from}",
       "\"{ext_user}@{ext_domain}\"@{target_domain}"},
      {"relay-source-route-domain", "recipient", relay, T::recipient, "critical", "", "{ext_from}",
       "@{target_domain}:{ext_user}@{ext_domain}"},
      {"relay-percent-null-domain", "recipient", relay, T::recipient, "critical", "", "{ext_from}",
       "{ext_user}%{ext_domain}@"},
      {"relay-double-at-null-domain", "recipient", relay, T::recipient, "critical", "",
       "{ext_from}", "{ext_user}@{ext_domain}@"},
      // A relay decision per transaction: the external recipient after an accepted local one.
      {"relay-after-local-recipient", "recipient", relay, T::recipient, "critical", "",
       "{ext_from}", "{ext_to}", "postmaster@{target_domain}"},
      {"relay-null-sender-after-local-recipient", "recipient", relay, T::recipient, "critical", "",
       "", "{ext_to}", "postmaster@{target_domain}"},
      // HELO tricks.
      {"relay-helo-localhost", "helo", relay, T::helo, "high", "localhost", "{ext_from}",
       "{ext_to}"},
      {"relay-helo-own-name", "helo", relay, T::helo, "high", "{target_host}", "{ext_from}",
       "{ext_to}"},
      {"relay-helo-ip-literal", "helo", relay, T::helo, "high", "{target_ip}", "{ext_from}",
       "{ext_to}"},
      // Submission ports.
      {"relay-submission-no-auth", "sender", relay, T::baseline, "critical", "", "{ext_from}",
       "{ext_to}"},
      // Probes.
      {"probe-unknown-local-recipient", "core", probe, T::probe, "info", "", "{ext_from}",
       "relayaudit-{random}@{target_domain}"},
      {"probe-unroutable-recipient", "core", probe, T::probe, "info", "", "{ext_from}",
       "relayaudit-{random}@[0.0.0.0]"},
  };
  const auto& scripts = builtin_scripts();
  EXPECT_EQ(std::size(library), 38u);
  EXPECT_EQ(scripts.size(), std::size(library)) << "a new built-in script belongs in this table";
  for (const auto& expected : library) {
    SCOPED_TRACE(expected.id);
    const auto* script = find_script(scripts, expected.id);
    ASSERT_NE(script, nullptr);
    EXPECT_EQ(script->source, std::string("builtin:") + expected.dir + "/" + expected.id + ".json");
    EXPECT_EQ(script->kind, expected.kind);
    EXPECT_EQ(script->trick, expected.trick);
    EXPECT_EQ(script->severity, expected.severity);
    EXPECT_EQ(script->ehlo, expected.ehlo);
    EXPECT_EQ(script->mail_from, expected.mail_from);
    std::vector<std::string> recipients;
    if (expected.first_rcpt_to != nullptr) recipients.push_back(expected.first_rcpt_to);
    recipients.push_back(expected.rcpt_to);
    EXPECT_EQ(script->rcpt_to, recipients);
    EXPECT_EQ(script->expect, expected.kind == control ? Expectation::accept : Expectation::reject);
    const bool submission = std::string_view(expected.id) == "relay-submission-no-auth";
    EXPECT_EQ(script->ports, submission ? (std::vector<int>{587, 465}) : std::vector<int>());
    EXPECT_EQ(has_tag(*script, "submission"), submission);
  }
}

TEST(BuiltinScripts, FamilyTagsSelectWholeFamilies) {
  const auto& scripts = builtin_scripts();
  const auto count = [&](const std::string& tag) {
    const auto chosen = select_scripts(scripts, {tag});
    return std::get<std::vector<RelayScript>>(chosen).size();
  };
  EXPECT_EQ(count("core"), 6u);
  EXPECT_EQ(count("address-form"), 20u);  // every recipient trick
  EXPECT_EQ(count("mail-domain"), 5u);    // the forms at {target_domain}
  EXPECT_EQ(count("helo"), 3u);
  EXPECT_EQ(count("probe"), 2u);
  EXPECT_EQ(count("submission"), 1u);
  EXPECT_EQ(count("control"), 1u);
}

TEST(LoadScriptDir, OneGoodOneBadFileAndNonJsonIgnored) {
  TempDir dir;
  dir.write("a-good.json", script_json("user-good"));
  const auto bad = dir.write("b-bad.json", script_json("user-bad").replace(2, 2, "ID"));
  dir.write("notes.txt", "not a script");
  fs::create_directory(dir.path() / "nested.json");  // a directory, not a script
  fs::create_directory(dir.path() / "sub");
  dir.write("sub/deeper.json", script_json("user-deeper"));  // not recursive

  const auto set = load_script_dir(dir.path());
  ASSERT_EQ(set.scripts.size(), 1u);
  EXPECT_EQ(set.scripts[0].id, "user-good");
  EXPECT_EQ(set.scripts[0].source, (dir.path() / "a-good.json").string());
  // Both mistakes of the bad file: the misspelt key and the id it leaves missing.
  ASSERT_EQ(set.errors.size(), 2u);
  EXPECT_EQ(set.errors[0].source, bad.string());
  EXPECT_EQ(set.errors[0].field, "/ID");
  EXPECT_EQ(set.errors[1].source, bad.string());
  EXPECT_EQ(set.errors[1].field, "/id");
}

TEST(LoadScriptDir, FilesAreReadInNameOrder) {
  TempDir dir;
  dir.write("2.json", "{");
  dir.write("1.json", "[");
  const auto set = load_script_dir(dir.path());
  ASSERT_EQ(set.errors.size(), 2u);
  EXPECT_EQ(fs::path(set.errors[0].source).filename(), "1.json");
  EXPECT_EQ(fs::path(set.errors[1].source).filename(), "2.json");
}

TEST(LoadScriptDir, MissingDirectoryIsOneErrorNamingIt) {
  TempDir dir;
  const auto missing = dir.path() / "no-such-dir";
  const auto set = load_script_dir(missing);
  EXPECT_TRUE(set.scripts.empty());
  ASSERT_EQ(set.errors.size(), 1u);
  EXPECT_EQ(set.errors[0].source, missing.string());
  EXPECT_NE(set.errors[0].to_string().find(missing.string() + ": cannot read script directory"),
            std::string::npos)
      << set.errors[0].to_string();
}

TEST(LoadScriptDir, ExampleScriptsLoadCleanly) {
  const auto set = load_script_dir(fs::path(RELAYAUDIT_SOURCE_DIR) / "examples/scripts");
  for (const auto& error : set.errors) ADD_FAILURE() << error.to_string();
  ASSERT_EQ(set.scripts.size(), 1u);
  EXPECT_EQ(set.scripts[0].id, "example-user-script");
  EXPECT_EQ(set.scripts[0].rcpt_to.size(), 2u);

  const auto merged = merge_scripts(builtin_scripts(), set);
  EXPECT_TRUE(merged.errors.empty());
  EXPECT_EQ(merged.scripts.size(), builtin_scripts().size() + 1);
}

TEST(MergeScripts, DuplicateIdsNameBothSources) {
  TempDir dir;
  dir.write("a.json", script_json("relay-null-sender"));  // clashes with a built-in
  dir.write("b.json", script_json("user-one"));
  dir.write("c.json", script_json("user-one"));  // clashes with b.json
  const auto merged = merge_scripts(builtin_scripts(), load_script_dir(dir.path()));

  ASSERT_EQ(merged.errors.size(), 2u);
  EXPECT_EQ(merged.errors[0].to_string(),
            (dir.path() / "a.json").string() +
                ": /id: duplicate id 'relay-null-sender': already defined by "
                "builtin:core/relay-null-sender.json");
  EXPECT_EQ(merged.errors[1].to_string(),
            (dir.path() / "c.json").string() +
                ": /id: duplicate id 'user-one': already defined by " +
                (dir.path() / "b.json").string());
  EXPECT_EQ(merged.scripts.size(), builtin_scripts().size() + 1);
  EXPECT_TRUE(std::is_sorted(merged.scripts.begin(), merged.scripts.end(),
                             [](const auto& a, const auto& b) { return a.id < b.id; }));
}

TEST(MergeScripts, KeepsTheUserLoadErrors) {
  ScriptSet user;
  user.errors.push_back({"x.json", "", "invalid JSON"});
  const auto merged = merge_scripts(builtin_scripts(), user);
  ASSERT_EQ(merged.errors.size(), 1u);
  EXPECT_EQ(merged.errors[0].source, "x.json");
}

std::vector<std::string> ids(const std::variant<std::vector<RelayScript>, std::string>& result) {
  std::vector<std::string> out;
  if (const auto* scripts = std::get_if<std::vector<RelayScript>>(&result)) {
    for (const auto& script : *scripts) out.push_back(script.id);
  }
  return out;
}

TEST(SelectScripts, ByIdByTagAllAndUnknown) {
  const auto& scripts = builtin_scripts();
  EXPECT_EQ(ids(select_scripts(scripts, {})).size(), scripts.size());
  EXPECT_EQ(ids(select_scripts(scripts, {"relay-null-sender"})),
            std::vector<std::string>{"relay-null-sender"});
  EXPECT_EQ(ids(select_scripts(scripts, {"control"})),
            std::vector<std::string>{"control-postmaster"});
  // Id and tag together: each script once, in library order.
  EXPECT_EQ(ids(select_scripts(scripts, {"relay-null-sender", "control", "null-sender"})),
            (std::vector<std::string>{"control-postmaster", "relay-null-sender",
                                      "relay-null-sender-after-local-recipient"}));

  const auto unknown = select_scripts(scripts, {"core", "relay-nope"});
  ASSERT_TRUE(std::holds_alternative<std::string>(unknown));
  EXPECT_EQ(std::get<std::string>(unknown),
            "unknown test or tag 'relay-nope' (see 'relayaudit tests list')");
}

}  // namespace
}  // namespace relayaudit
