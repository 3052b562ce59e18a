// The script library: the built-in core set, user directories, duplicate ids and selection.
#include "relaytests/script_library.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

namespace relayaudit {
namespace {

namespace fs = std::filesystem;

// A fresh temporary directory, removed when the test ends.
class TempDir {
 public:
  TempDir() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    path_ = fs::temp_directory_path() /
            ("relayaudit-scripts-" + std::string(info->name()) + "-" + std::to_string(::getpid()));
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  fs::path write(const std::string& name, const std::string& text) const {
    std::ofstream(path_ / name, std::ios::binary) << text;
    return path_ / name;
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

std::string script_json(const std::string& id, const std::string& tag = "custom") {
  return R"({"id": ")" + id + R"(", "kind": "relay", "title": "t", "description": "d",
             "severity": "low", "tags": [")" +
         tag + R"("], "mail_from": "{ext_from}", "rcpt_to": ["{ext_to}"], "expect": "reject"})";
}

const RelayScript* find_script(const std::vector<RelayScript>& scripts, const std::string& id) {
  for (const auto& script : scripts) {
    if (script.id == id) return &script;
  }
  return nullptr;
}

TEST(BuiltinScripts, EveryShippedFileParsesWithItsFields) {
  const auto& scripts = builtin_scripts();  // throws std::logic_error on a bad built-in
  std::size_t json_files = 0;
  for (const auto& entry :
       fs::recursive_directory_iterator(fs::path(RELAYAUDIT_SOURCE_DIR) / "relaytests")) {
    if (entry.path().extension() == ".json") ++json_files;
  }
  EXPECT_EQ(scripts.size(), json_files) << "every relaytests/**/*.json is embedded";
  EXPECT_TRUE(std::is_sorted(scripts.begin(), scripts.end(),
                             [](const auto& a, const auto& b) { return a.id < b.id; }));
  for (const auto& script : scripts) {
    SCOPED_TRACE(script.id);
    EXPECT_TRUE(script.source.starts_with("builtin:")) << script.source;
    EXPECT_FALSE(script.title.empty());
    EXPECT_FALSE(script.description.empty());
    EXPECT_FALSE(script.catches.empty());
    EXPECT_FALSE(script.references.empty());
    EXPECT_FALSE(script.opened_by.empty());
    EXPECT_FALSE(script.rcpt_to.empty());
    EXPECT_NE(std::find(script.tags.begin(), script.tags.end(), "core"), script.tags.end());
  }
}

TEST(BuiltinScripts, CoreSet) {
  const auto& scripts = builtin_scripts();
  struct Expected {
    const char* id;
    ScriptKind kind;
    const char* severity;
    const char* mail_from;
    const char* rcpt_to;
    Expectation expect;
  };
  const Expected core[] = {
      {"relay-external-sender", ScriptKind::relay, "critical", "{ext_from}", "{ext_to}",
       Expectation::reject},
      {"relay-null-sender", ScriptKind::relay, "critical", "", "{ext_to}", Expectation::reject},
      {"relay-spoofed-local-sender", ScriptKind::relay, "high", "{ext_from_user}@{target_domain}",
       "{ext_to}", Expectation::reject},
      {"relay-ip-literal-sender", ScriptKind::relay, "high", "{ext_from_user}@{target_ip}",
       "{ext_to}", Expectation::reject},
      {"control-postmaster", ScriptKind::control, "info", "{ext_from}",
       "postmaster@{target_domain}", Expectation::accept},
  };
  for (const auto& expected : core) {
    SCOPED_TRACE(expected.id);
    const auto* script = find_script(scripts, expected.id);
    ASSERT_NE(script, nullptr);
    EXPECT_EQ(script->source, std::string("builtin:core/") + expected.id + ".json");
    EXPECT_EQ(script->kind, expected.kind);
    EXPECT_EQ(script->severity, expected.severity);
    EXPECT_EQ(script->mail_from, expected.mail_from);
    EXPECT_EQ(script->rcpt_to, std::vector<std::string>{expected.rcpt_to});
    EXPECT_EQ(script->expect, expected.expect);
  }
  EXPECT_NE(std::find(find_script(scripts, "control-postmaster")->tags.begin(),
                      find_script(scripts, "control-postmaster")->tags.end(), "control"),
            find_script(scripts, "control-postmaster")->tags.end());
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
  ASSERT_EQ(set.errors.size(), 1u);
  EXPECT_EQ(set.errors[0].source, bad.string());
  EXPECT_EQ(set.errors[0].field, "/ID");
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
            (std::vector<std::string>{"control-postmaster", "relay-null-sender"}));

  const auto unknown = select_scripts(scripts, {"core", "relay-nope"});
  ASSERT_TRUE(std::holds_alternative<std::string>(unknown));
  EXPECT_EQ(std::get<std::string>(unknown),
            "unknown test or tag 'relay-nope' (see 'relayaudit tests list')");
}

}  // namespace
}  // namespace relayaudit
