// The results of `scan` say who ran it, from where, how, and with which script definitions.
#include <gtest/gtest.h>
#include <pwd.h>
#include <unistd.h>

#include <climits>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "support/process.hpp"
#include "support/relayaudit_binary.hpp"
#include "support/temp_dir.hpp"

namespace relayaudit {
namespace {

using nlohmann::json;
using testing::kBinary;
using testing::run_command;

const std::string kSourceDir = RELAYAUDIT_SOURCE_DIR;

// sha256sum's digest of a file: an implementation apart from the one under test.
std::string sha256_of_file(const std::string& path) {
  const auto run = run_command({"sha256sum", path});
  EXPECT_TRUE(run.succeeded()) << run.describe() << run.err;
  return run.out.substr(0, run.out.find(' '));
}

TEST(ScanProvenance, ResultsRecordUserHostDirectoryCommandAndScriptHashes) {
  testing::TempDir dir;
  const std::string results = (dir.path() / "results.json").string();
  const std::string html = (dir.path() / "report.html").string();
  const std::string user_script = kSourceDir + "/examples/scripts/example-user-script.json";
  const std::vector<std::string> argv = {kBinary,       "scan",
                                         "127.0.0.1:1", "-q",
                                         "-o",          results,
                                         "--html",      html,
                                         "--tests-dir", kSourceDir + "/examples/scripts",
                                         "--tests",     "example-user-script,control-postmaster"};
  const auto scan = run_command(argv);
  ASSERT_EQ(scan.exit_code, 3) << "127.0.0.1:1 is unreachable: " << scan.err;
  const json document = json::parse(testing::read_file(results));
  EXPECT_EQ(document["schema_version"], "2.0");
  const json& run = document["run"];

  const passwd* entry = getpwuid(geteuid());
  ASSERT_NE(entry, nullptr);
  EXPECT_EQ(run["user"], entry->pw_name);
  EXPECT_EQ(run["uid"], static_cast<long long>(geteuid()));
  char host[HOST_NAME_MAX + 1] = {};
  ASSERT_EQ(gethostname(host, sizeof host - 1), 0);
  EXPECT_EQ(run["host"], host);
  EXPECT_EQ(run["working_directory"], std::filesystem::current_path().string());
  EXPECT_EQ(run["command_line"], json(argv));

  // 2.0: each script's source and hash are with its facts, in the document's "scripts".
  EXPECT_FALSE(run.contains("scripts"));
  ASSERT_EQ(document["scripts"].size(), 2u);
  std::map<std::string, json> by_id;
  for (const auto& [id, script] : document["scripts"].items()) by_id[id] = script;
  EXPECT_EQ(by_id["control-postmaster"]["kind"], "control");
  EXPECT_EQ(by_id["example-user-script"]["title"].is_string(), true);
  EXPECT_EQ(by_id["control-postmaster"]["source"], "builtin:core/control-postmaster.json");
  EXPECT_EQ(by_id["control-postmaster"]["sha256"],
            sha256_of_file(kSourceDir + "/relaytests/core/control-postmaster.json"));
  EXPECT_EQ(by_id["example-user-script"]["source"], user_script);
  EXPECT_EQ(by_id["example-user-script"]["sha256"], sha256_of_file(user_script));

  // The auditor's report shows the same facts.
  const std::string page = testing::read_file(html);
  EXPECT_NE(page.find("<th>Run by</th><td>" + std::string(entry->pw_name)), std::string::npos);
  EXPECT_NE(page.find("<th>Command line</th><td><code>" + kBinary + " scan 127.0.0.1:1"),
            std::string::npos);
  EXPECT_NE(page.find(by_id["example-user-script"]["sha256"].get<std::string>()),
            std::string::npos);
}

}  // namespace
}  // namespace relayaudit
