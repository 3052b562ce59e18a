// scan --shard K/N and merge through the binary, against one lab fleet: three shards merged give
// the verdicts, summary and domains of one unsharded scan; the refusals name their files; every
// example in examples/shards runs its relayaudit lines here.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <thread>

#include <nlohmann/json.hpp>

#include "support/process.hpp"
#include "support/relayaudit_binary.hpp"
#include "support/report_validators.hpp"
#include "support/temp_dir.hpp"

namespace relayaudit {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::CommandResult;
using testing::kBinary;
using testing::read_file;
using testing::run_command;

// Verdicts of every kind, quickly: no greylisting waits.
constexpr const char* kShardFleet =
    "closed,open,percent-hack,ehlo-reject,reject-banner,binary-reply,pure-gateway,closed,open,"
    "drop-mid-plan";

json read_document(const fs::path& path) {
  return json::parse(read_file(path.string()));
}

std::map<std::string, std::string> verdicts_of(const json& document) {
  std::map<std::string, std::string> verdicts;
  for (const json& endpoint : document.at("endpoints")) {
    verdicts[endpoint.at("endpoint").get<std::string>()] = endpoint.at("verdict");
  }
  return verdicts;
}

// What a merge must reproduce of an unsharded scan.
void expect_same_audit(const json& whole, const json& merged, const std::string& what) {
  EXPECT_EQ(verdicts_of(merged), verdicts_of(whole)) << what;
  EXPECT_EQ(merged.at("summary"), whole.at("summary")) << what;
  EXPECT_EQ(merged.at("domains"), whole.at("domains")) << what;
  EXPECT_EQ(merged.at("unresolved"), whole.at("unresolved")) << what;
  EXPECT_EQ(merged.at("run").at("shards").size(), 3u) << what;
}

// One lab for the whole suite, and one unsharded scan of it to compare with.
class ShardMerge : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = std::make_unique<testing::TempDir>();
    fleet_ = (dir_->path() / "fleet.txt").string();
    lab_ = std::make_unique<testing::BackgroundProcess>(std::vector<std::string>{
        kBinary, "lab", "--profile", kShardFleet, "--endpoints-file", fleet_});
    for (int i = 0; i < 500 && read_file(fleet_).empty(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    whole_path_ = (dir_->path() / "whole.json").string();
    whole_run_ = run_command({kBinary, "scan", "-f", fleet_, "-q", "-o", whole_path_},
                             std::chrono::seconds(120));
  }
  static void TearDownTestSuite() {
    if (lab_) lab_->stop();
    lab_.reset();
    dir_.reset();
  }
  void SetUp() override {
    ASSERT_FALSE(read_file(fleet_).empty()) << "the lab did not write its endpoints";
    ASSERT_EQ(whole_run_.exit_code, 1) << whole_run_.describe() << whole_run_.err;
    whole_ = read_document(whole_path_);
    ASSERT_EQ(whole_.at("endpoints").size(), 10u);
  }
  std::string path(const std::string& name) const { return (work_.path() / name).string(); }
  CommandResult shard_scan(int k, int n, const std::string& output,
                           std::vector<std::string> extra = {}) const {
    std::vector<std::string> argv = {
        kBinary, "scan", "-f", fleet_, "-q", "--shard", std::to_string(k) + "/" + std::to_string(n),
        "-o",    output};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return run_command(argv, std::chrono::seconds(120));
  }

  static inline std::unique_ptr<testing::TempDir> dir_;
  static inline std::unique_ptr<testing::BackgroundProcess> lab_;
  static inline std::string fleet_;
  static inline std::string whole_path_;
  static inline CommandResult whole_run_;
  json whole_;
  testing::TempDir work_;
};

TEST_F(ShardMerge, ThreeShardsMergeToTheUnshardedScan) {
  std::set<std::string> audited;
  std::vector<std::string> files;
  for (int k = 1; k <= 3; ++k) {
    const std::string file = path("shard-" + std::to_string(k) + ".json");
    const CommandResult run = shard_scan(k, 3, file);
    EXPECT_TRUE(run.exit_code == 0 || run.exit_code == 1 || run.exit_code == 3) << run.err;
    const json shard = read_document(file);
    const json& record = shard.at("run").at("shard");
    EXPECT_EQ(record.at("k"), k);
    EXPECT_EQ(record.at("n"), 3);
    EXPECT_EQ(record.at("rule"), "fnv1a64(address|port) mod N + 1");
    // Every endpoint of the fleet is either audited here or listed as skipped, never both.
    std::set<std::string> seen;
    for (const json& endpoint : shard.at("endpoints")) {
      EXPECT_TRUE(audited.insert(endpoint.at("endpoint")).second) << "audited twice";
      seen.insert(endpoint.at("endpoint").get<std::string>());
    }
    for (const json& key : record.at("skipped")) {
      EXPECT_TRUE(seen.insert(key.get<std::string>()).second) << key;
    }
    EXPECT_EQ(seen.size(), 10u) << "shard " << k << " does not account for the whole fleet";
    EXPECT_EQ(shard.at("summary").at("endpoints"), shard.at("endpoints").size());
    files.push_back(file);
  }
  EXPECT_EQ(audited.size(), 10u);

  // Given in any order, the shards merge to the same audit.
  const CommandResult merge =
      run_command({kBinary, "merge", files[2], files[0], files[1], "-o", path("results.json")});
  EXPECT_EQ(merge.exit_code, whole_run_.exit_code) << merge.err;
  EXPECT_NE(merge.out.find("10 endpoints"), std::string::npos) << merge.out;
  const json merged = read_document(path("results.json"));
  expect_same_audit(whole_, merged, "merge of 3 shards");
  EXPECT_TRUE(merged.at("complete"));
  std::set<int> shard_numbers;
  for (const json& entry : merged.at("run").at("shards")) {
    shard_numbers.insert(entry.at("shard").at("k").get<int>());
    EXPECT_TRUE(entry.at("command_line").is_array());
    EXPECT_TRUE(entry.at("started_at").is_string());
  }
  EXPECT_EQ(shard_numbers, (std::set<int>{1, 2, 3}));
  EXPECT_EQ(merged.at("run").at("command_line")[1], "merge");

  // Every report and diff read the merged document as a single scan.
  const CommandResult report = run_command(
      {kBinary, "report", path("results.json"), "--markdown", path("summary.md"), "--html",
       path("report.html"), "--junit", path("junit.xml"), "--sarif", path("results.sarif")});
  EXPECT_EQ(report.exit_code, 1) << report.err;
  const CommandResult whole_report =
      run_command({kBinary, "report", whole_path_, "--junit", path("whole-junit.xml")});
  EXPECT_EQ(whole_report.exit_code, 1) << whole_report.err;
  if (testing::xmllint_available()) {
    EXPECT_EQ(testing::junit_schema_errors(read_file(path("junit.xml"))), "");
  }
  EXPECT_NE(read_file(path("summary.md")).find("open-relay"), std::string::npos);
  const CommandResult diff = run_command({kBinary, "diff", whole_path_, path("results.json")});
  EXPECT_EQ(diff.exit_code, 0) << diff.out << diff.err;
  EXPECT_NE(diff.out.find("Result: no change"), std::string::npos) << diff.out;
  if (testing::jsonschema_available()) {
    EXPECT_EQ(testing::results_schema_errors(read_file(path("results.json"))), "");
    EXPECT_EQ(testing::results_schema_errors(read_file(files[0])), "");
  }
}

TEST_F(ShardMerge, MergeRefusesWhatIsNotOneAuditNamingTheFiles) {
  for (int k = 1; k <= 3; ++k) shard_scan(k, 3, path("s" + std::to_string(k) + ".json"));
  shard_scan(1, 2, path("half.json"));
  shard_scan(2, 3, path("other-plan.json"),
             {"--tests", "relay-external-sender,control-postmaster"});
  shard_scan(2, 3, path("other-options.json"), {"--external-to", "someone@elsewhere.example"});
  const auto refused = [&](const std::vector<std::string>& files, const std::string& expected) {
    std::vector<std::string> argv = {kBinary, "merge", "-o", path("merged.json")};
    for (const auto& file : files) argv.push_back(path(file));
    const CommandResult run = run_command(argv);
    EXPECT_EQ(run.exit_code, 2) << expected << "\n" << run.err;
    EXPECT_NE(run.err.find(expected), std::string::npos) << run.err;
    EXPECT_FALSE(fs::exists(path("merged.json")));
  };
  refused({"s1.json", "s2.json"}, "shard(s) 3 of 3 missing");
  refused({"s1.json", "s2.json", "s1.json", "s3.json"}, "are both shard 1/3");
  refused({"s1.json", "half.json"}, "shards of different counts");
  refused({"s1.json", "other-plan.json", "s3.json"}, "ran different plans");
  refused({"s1.json", "other-plan.json", "s3.json"}, "other-plan.json");
  refused({"s1.json", "other-options.json", "s3.json"},
          "different verdict-changing options: external_to");
  refused({"s1.json", "s2.json", "missing.json"}, "missing.json");
  testing::write_file(path("torn.json"), read_file(path("s2.json")).substr(0, 200));
  refused({"s1.json", "torn.json", "s3.json"}, "torn.json: ");
  // Read endpoint by endpoint, a document still cannot nest without bound.
  testing::write_file(path("deep.json"), "{\"schema_version\": \"2.0\", \"endpoints\": [" +
                                             std::string(200, '[') + std::string(200, ']') + "]}");
  refused({"deep.json"}, "deep.json: nested deeper than 64 levels");
  // A merged document is not a shard.
  ASSERT_EQ(run_command({kBinary, "merge", path("s1.json"), path("s2.json"), path("s3.json"), "-q",
                         "-o", path("whole-merge.json")})
                .exit_code,
            1);
  refused({"whole-merge.json", "s1.json"}, "already a merged document");
}

// --shard auto: the job runners' variables, and their errors naming the variable (exit 2).
TEST_F(ShardMerge, ShardAutoReadsKubernetesAndGitLabVariables) {
  const auto scan_with = [&](const std::vector<std::string>& environment,
                             const std::vector<std::string>& extra, const std::string& output) {
    std::vector<std::string> argv = {"/usr/bin/env",  "-u", "JOB_COMPLETION_INDEX", "-u",
                                     "CI_NODE_INDEX", "-u", "RELAYAUDIT_SHARDS"};
    argv.insert(argv.end(), environment.begin(), environment.end());
    for (const std::string& word :
         {kBinary, std::string("scan"), std::string("-f"), fleet_, std::string("-q"),
          std::string("--shard"), std::string("auto"), std::string("-o"), output}) {
      argv.push_back(word);
    }
    argv.insert(argv.end(), extra.begin(), extra.end());
    return run_command(argv, std::chrono::seconds(120));
  };
  const CommandResult kubernetes =
      scan_with({"JOB_COMPLETION_INDEX=1"}, {"--shards", "3"}, path("k8s.json"));
  EXPECT_NE(kubernetes.exit_code, 2) << kubernetes.err;
  EXPECT_EQ(read_document(path("k8s.json")).at("run").at("shard").at("k"), 2);
  const CommandResult gitlab =
      scan_with({"CI_NODE_INDEX=3", "CI_NODE_TOTAL=3"}, {}, path("gitlab.json"));
  EXPECT_NE(gitlab.exit_code, 2) << gitlab.err;
  EXPECT_EQ(read_document(path("gitlab.json")).at("run").at("shard").at("k"), 3);
  const CommandResult from_variable =
      scan_with({"JOB_COMPLETION_INDEX=0", "RELAYAUDIT_SHARDS=3"}, {}, path("var.json"));
  EXPECT_EQ(read_document(path("var.json")).at("run").at("shard").at("n"), 3) << from_variable.err;

  const auto usage_error = [&](const std::vector<std::string>& environment,
                               const std::vector<std::string>& extra, const std::string& expected) {
    const CommandResult run = scan_with(environment, extra, path("never.json"));
    EXPECT_EQ(run.exit_code, 2) << expected << "\n" << run.err;
    EXPECT_NE(run.err.find(expected), std::string::npos) << run.err;
    EXPECT_FALSE(fs::exists(path("never.json")));
  };
  usage_error({"JOB_COMPLETION_INDEX=3"}, {"--shards", "3"}, "JOB_COMPLETION_INDEX='3'");
  usage_error({"JOB_COMPLETION_INDEX=x"}, {"--shards", "3"}, "JOB_COMPLETION_INDEX='x'");
  usage_error({"JOB_COMPLETION_INDEX=0"}, {}, "RELAYAUDIT_SHARDS");
  usage_error({"CI_NODE_INDEX=0", "CI_NODE_TOTAL=3"}, {}, "CI_NODE_INDEX='0'");
  usage_error({"CI_NODE_INDEX=4", "CI_NODE_TOTAL=3"}, {}, "CI_NODE_INDEX='4'");
  usage_error({"CI_NODE_INDEX=1"}, {}, "CI_NODE_TOTAL");
  usage_error({}, {}, "JOB_COMPLETION_INDEX");
  const CommandResult bad = run_command({kBinary, "scan", "127.0.0.1:1", "--shard", "4/3"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("--shard '4/3'"), std::string::npos) << bad.err;
  const CommandResult zero = run_command({kBinary, "scan", "127.0.0.1:1", "--shard", "0/3"});
  EXPECT_EQ(zero.exit_code, 2) << zero.err;
}

// The relayaudit lines of an example file: from "relayaudit " to the end of the line.
std::vector<std::string> example_command_lines(const std::string& file) {
  std::ifstream in(fs::path(RELAYAUDIT_SOURCE_DIR) / "examples" / "shards" / file);
  std::vector<std::string> lines;
  std::string line;
  while (std::getline(in, line)) {
    const auto start = line.find("relayaudit scan ");
    const auto merge = line.find("relayaudit merge ");
    const auto at = std::min(start, merge);
    if (at == std::string::npos || line.find('#') < at) continue;
    lines.push_back(line.substr(at));
  }
  return lines;
}

void replace_all(std::string& text, const std::string& from, const std::string& to) {
  for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
}

struct ExampleRun {
  std::string file;
  // The environment of shard i (0-based) of its scan line.
  std::string (*shard_environment)(int index);
};

// Runs the example's scan line once per shard and its merge line once, in a directory holding
// the lab's endpoints as fleet.txt, and returns the merged document.
TEST_F(ShardMerge, EveryExampleRunsAgainstTheLabAndMergesToTheUnshardedScan) {
  const std::vector<ExampleRun> examples = {
      {"kubernetes-indexed-job.yaml",
       [](int index) { return "export JOB_COMPLETION_INDEX=" + std::to_string(index) + "; "; }},
      {"gitlab-ci.yml",
       [](int index) {
         return "export CI_NODE_INDEX=" + std::to_string(index + 1) + " CI_NODE_TOTAL=3; ";
       }},
      {"github-actions.yml",
       [](int) { return std::string("export GITHUB_STEP_SUMMARY=step.md; "); }},
  };
  const std::string bin = fs::path(kBinary).parent_path().string();
  for (const ExampleRun& example : examples) {
    SCOPED_TRACE(example.file);
    const fs::path dir = work_.path() / example.file;
    fs::create_directories(dir);
    fs::copy_file(fleet_, dir / "fleet.txt");
    const std::vector<std::string> lines = example_command_lines(example.file);
    ASSERT_EQ(lines.size(), 2u) << "one scan line and one merge line";
    for (std::string line : lines) {
      replace_all(line, "/config/", dir.string() + "/");
      replace_all(line, "/results/", dir.string() + "/");
      replace_all(line, "${{ strategy.job-total }}", "3");
      const bool scan = line.rfind("relayaudit scan", 0) == 0;
      for (int index = 0; index < (scan ? 3 : 1); ++index) {
        std::string command = line;
        replace_all(command, "${{ strategy.job-index }}", std::to_string(index));
        const std::string shell = "cd '" + dir.string() + "' && PATH='" + bin + "':$PATH && " +
                                  example.shard_environment(index) + command;
        const CommandResult run = run_command({"/bin/sh", "-c", shell}, std::chrono::seconds(120));
        EXPECT_EQ(run.exit_code, scan ? 0 : whole_run_.exit_code)
            << command << "\n"
            << run.describe() << run.out << run.err;
      }
    }
    ASSERT_TRUE(fs::exists(dir / "results.json"));
    expect_same_audit(whole_, read_document(dir / "results.json"), example.file);
  }
  EXPECT_NE(read_file((work_.path() / "kubernetes-indexed-job.yaml" / "report.html").string())
                .find("<html"),
            std::string::npos);
  EXPECT_NE(
      read_file((work_.path() / "github-actions.yml" / "step.md").string()).find("open-relay"),
      std::string::npos);

  // The shell loop runs as a whole.
  const fs::path loop = work_.path() / "shell-loop";
  fs::create_directories(loop);
  const std::string script =
      (fs::path(RELAYAUDIT_SOURCE_DIR) / "examples" / "shards" / "shell-loop.sh").string();
  const CommandResult run = run_command(
      {"/bin/sh", "-c",
       "cd '" + loop.string() + "' && PATH='" + bin + "':$PATH && sh '" + script + "' " + fleet_},
      std::chrono::seconds(120));
  EXPECT_EQ(run.exit_code, whole_run_.exit_code) << run.describe() << run.out << run.err;
  expect_same_audit(whole_, read_document(loop / "results.json"), "shell-loop.sh");
}

}  // namespace
}  // namespace relayaudit
