// The relayaudit binary end to end: exit codes, results.json, input errors, the lab command.
#include <gtest/gtest.h>

#include <unistd.h>
#include <filesystem>
#include <memory>
#include <set>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "support/process.hpp"
#include "support/relayaudit_binary.hpp"

namespace relayaudit {
namespace {

using testing::CommandResult;
using testing::kBinary;
using testing::read_file;
using testing::run_command;
using testing::write_file;

class ScanCli : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = testing::make_temp_dir(); }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string path(const std::string& name) const { return dir_ + "/" + name; }
  std::string dir_;
};

// The profile of a lab gateway, read from its banner or EHLO host name "<profile>-<n>.lab...".
std::string lab_profile_of(const nlohmann::json& endpoint) {
  // The reply's text: each line after its code and separator.
  std::string text;
  if (!endpoint["banner"].is_null()) {
    for (const auto& line : endpoint["banner"]["lines"]) {
      text +=
          line.get<std::string>().substr(std::min<std::size_t>(4, line.get<std::string>().size())) +
          "\n";
    }
  }
  const auto lab = text.find(".lab.relayaudit.test");
  if (lab == std::string::npos) return "";
  const auto dash = text.rfind('-', lab);
  auto start = text.rfind(' ', dash);
  start = start == std::string::npos ? 0 : start + 1;
  return text.substr(start, dash - start);
}

TEST_F(ScanCli, LabAuditNamesOpenAndClosedGateways) {
  const CommandResult run = run_command({kBinary, "scan", "--lab", "-o", path("results.json")});
  ASSERT_FALSE(run.timed_out);
  EXPECT_EQ(run.exit_code, 1) << run.err;
  const auto results = nlohmann::json::parse(read_file(path("results.json")));
  EXPECT_EQ(results["schema_version"], "2.0");
  EXPECT_EQ(results["summary"]["verdict"], "open-relay");
  const std::map<std::string, std::string> expected = {{"closed", "closed"},
                                                       {"open", "open-relay"},
                                                       {"greylisting", "open-relay"},
                                                       {"ehlo-reject", "open-relay"},
                                                       {"error-limit", "closed"},
                                                       {"percent-hack", "open-relay"},
                                                       {"tarpit", "closed"},
                                                       {"drop-mid-plan", "closed"},
                                                       {"binary-reply", "closed"},
                                                       {"reject-banner", "unreachable"},
                                                       {"starttls-required", "open-relay"},
                                                       {"smtps", "open-relay"}};
  std::map<std::string, std::string> seen;
  for (const auto& endpoint : results["endpoints"]) {
    seen[lab_profile_of(endpoint)] = endpoint["verdict"].get<std::string>();
  }
  for (const auto& [profile, verdict] : expected) {
    EXPECT_EQ(seen[profile], verdict) << profile;
  }
  // The human summary names open gateways as open.
  EXPECT_NE(run.out.find("open-relay"), std::string::npos);
  EXPECT_NE(run.out.find("closed"), std::string::npos);
}

TEST_F(ScanCli, MalformedTargetFileIsExit2NamingFileAndLine) {
  write_file(path("fleet.txt"), "# staging\n127.0.0.1:2525\n\nmx1.example.test:99999\n");
  const CommandResult run =
      run_command({kBinary, "scan", "-f", path("fleet.txt"), "-o", path("results.json")});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find(path("fleet.txt") + ":4"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("mx1.example.test:99999"), std::string::npos) << run.err;
  EXPECT_FALSE(std::filesystem::exists(path("results.json"))) << "nothing may run on bad input";
}

TEST_F(ScanCli, MalformedTargetArgumentIsExit2) {
  const CommandResult run = run_command({kBinary, "scan", "256.1.1.1", "-q"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("256.1.1.1"), std::string::npos) << run.err;
}

TEST_F(ScanCli, UnknownTestSelectorIsExit2) {
  const CommandResult run = run_command({kBinary, "scan", "127.0.0.1:1", "--tests", "nope", "-q"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("nope"), std::string::npos) << run.err;
}

TEST_F(ScanCli, UnreachableIsExit3UnlessFailOnOpenRelay) {
  // Nothing listens: a mistyped port or a firewall must not turn a CI job green.
  const CommandResult strict =
      run_command({kBinary, "scan", "127.0.0.1:1", "-q", "-o", path("a.json")});
  EXPECT_EQ(strict.exit_code, 3) << strict.err;
  const auto results = nlohmann::json::parse(read_file(path("a.json")));
  EXPECT_EQ(results["endpoints"][0]["verdict"], "unreachable");
  EXPECT_EQ(results["endpoints"][0]["status"], "connection-refused");
  const CommandResult lenient =
      run_command({kBinary, "scan", "127.0.0.1:1", "-q", "--fail-on", "open-relay"});
  EXPECT_EQ(lenient.exit_code, 0) << lenient.err;
}

// A path that cannot be written is refused before anything is sent (exit 2); a write that still
// fails at the end (a full disk: /dev/full) is exit 4.
TEST_F(ScanCli, UnwritableOutputIsExit2BeforeTheScanAndAFailedWriteExit4) {
  const CommandResult refused =
      run_command({kBinary, "scan", "127.0.0.1:1", "-q", "-o", path("missing/dir/results.json")});
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_NE(refused.err.find("missing/dir does not exist; nothing was scanned"), std::string::npos)
      << refused.err;
  // The audit is not lost: the whole document is kept in $TMPDIR (never next to a device), and
  // the error says where; `report` renders from it.
  const CommandResult full = run_command(
      {"/bin/sh", "-c",
       "TMPDIR='" + dir_ + "' exec '" + kBinary + "' scan 127.0.0.1:1 -q -o /dev/full"});
  EXPECT_EQ(full.exit_code, 4);
  EXPECT_NE(full.err.find("cannot write /dev/full"), std::string::npos) << full.err;
  const std::string kept_in = "the results are kept in ";
  const auto at = full.err.find(kept_in);
  ASSERT_NE(at, std::string::npos) << full.err;
  const auto start = at + kept_in.size();
  const std::string rescued = full.err.substr(start, full.err.find(' ', start) - start);
  EXPECT_EQ(rescued.rfind(dir_ + "/relayaudit-results-", 0), 0u) << rescued;
  const auto document = nlohmann::json::parse(read_file(rescued));
  ASSERT_EQ(document["endpoints"].size(), 1u);
  EXPECT_EQ(document["endpoints"][0]["endpoint"], "127.0.0.1:1");
  const CommandResult report =
      run_command({kBinary, "report", rescued, "--markdown", path("summary.md")});
  EXPECT_EQ(report.exit_code, 0) << report.err;
  EXPECT_NE(read_file(path("summary.md")).find("127.0.0.1:1"), std::string::npos);
}

TEST_F(ScanCli, LabCommandServesGatewaysThatScanAudits) {
  const std::string endpoints = path("endpoints.txt");
  testing::BackgroundProcess lab(
      {kBinary, "lab", "--profile", "closed,open", "--endpoints-file", endpoints});
  for (int i = 0; i < 500 && read_file(endpoints).empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_FALSE(read_file(endpoints).empty()) << "the lab did not write its endpoints";
  const CommandResult run =
      run_command({kBinary, "scan", "-f", endpoints, "-q", "-o", path("results.json")});
  EXPECT_EQ(run.exit_code, 1) << run.err;
  const auto results = nlohmann::json::parse(read_file(path("results.json")));
  ASSERT_EQ(results["endpoints"].size(), 2u);
  EXPECT_EQ(results["endpoints"][0]["verdict"], "closed");
  EXPECT_EQ(results["endpoints"][1]["verdict"], "open-relay");
  EXPECT_EQ(lab.stop(), 0) << "the lab stops cleanly on SIGTERM";
}

TEST_F(ScanCli, LabRefusesToListenOutsideLoopback) {
  const CommandResult run = run_command({kBinary, "lab", "--bind", "0.0.0.0"});
  EXPECT_EQ(run.exit_code, 2);
}

// --base-port serves the same endpoints every run: two lab scans diff as "no change".
TEST_F(ScanCli, LabBasePortGivesRunsWhoseResultsDiff) {
  std::string endpoints;
  int base = 0;
  std::unique_ptr<testing::BackgroundProcess> lab;
  // A fixed port may be taken by another test or process: a few bases are tried.
  for (int attempt = 0; attempt < 5 && endpoints.empty(); ++attempt) {
    base = 20000 + static_cast<int>((::getpid() * 7919 + attempt * 4099) % 40000);
    const std::string file = path("endpoints-" + std::to_string(attempt) + ".txt");
    lab = std::make_unique<testing::BackgroundProcess>(
        std::vector<std::string>{kBinary, "lab", "--profile", "closed,open", "--base-port",
                                 std::to_string(base), "--endpoints-file", file});
    for (int i = 0; i < 250 && read_file(file).empty(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    endpoints = read_file(file);
    if (endpoints.empty()) lab->stop();
  }
  ASSERT_FALSE(endpoints.empty()) << "no base port was free";
  EXPECT_EQ(endpoints,
            "127.0.0.1:" + std::to_string(base) + "\n127.0.0.1:" + std::to_string(base + 1) + "\n");
  write_file(path("targets.txt"), endpoints);
  for (const char* name : {"first.json", "second.json"}) {
    const CommandResult run =
        run_command({kBinary, "scan", "-f", path("targets.txt"), "-q", "-o", path(name)});
    EXPECT_EQ(run.exit_code, 1) << run.err;
  }
  const CommandResult diff =
      run_command({kBinary, "diff", path("first.json"), path("second.json")});
  EXPECT_EQ(diff.exit_code, 0) << diff.out << diff.err;
  EXPECT_NE(diff.out.find("Result: no change"), std::string::npos) << diff.out;
  EXPECT_EQ(lab->stop(), 0);
}

// Lab mistakes are errors that say what would be right, never a default fleet.
TEST_F(ScanCli, LabCountZeroAndUnknownProfilesAreErrors) {
  const CommandResult zero = run_command({kBinary, "lab", "--count", "0"});
  EXPECT_EQ(zero.exit_code, 2) << zero.out;
  EXPECT_NE(zero.err.find("--count"), std::string::npos) << zero.err;
  const CommandResult bogus = run_command({kBinary, "lab", "--profile", "bogus"});
  EXPECT_EQ(bogus.exit_code, 2);
  EXPECT_NE(bogus.err.find("'bogus': unknown lab profile; the profiles are: "), std::string::npos)
      << bogus.err;
  for (const char* profile : {"closed", "open", "postscreen", "hole-bang-path-ip"}) {
    EXPECT_NE(bogus.err.find(std::string(" ") + profile), std::string::npos) << profile;
  }
}

TEST_F(ScanCli, TestsListAndShow) {
  const CommandResult list = run_command({kBinary, "tests", "list"});
  EXPECT_EQ(list.exit_code, 0);
  for (const char* id : {"relay-external-sender", "relay-null-sender", "relay-spoofed-local-sender",
                         "relay-ip-literal-sender", "control-postmaster"}) {
    EXPECT_NE(list.out.find(id), std::string::npos) << id;
  }
  const CommandResult show = run_command({kBinary, "tests", "show", "relay-null-sender"});
  EXPECT_EQ(show.exit_code, 0);
  EXPECT_NE(show.out.find("MAIL FROM:<>"), std::string::npos) << show.out;
  EXPECT_EQ(run_command({kBinary, "tests", "show", "no-such-test"}).exit_code, 2);
}

}  // namespace
}  // namespace relayaudit

namespace relayaudit {
namespace {

TEST(ScanCliScripts, UserScriptFromExamplesIsLoadedAndRun) {
  const std::string dir = testing::make_temp_dir();
  const std::string results = dir + "/results.json";
  const testing::CommandResult run =
      testing::run_command({kBinary, "scan", "--lab", "-q", "-o", results, "--tests-dir",
                            std::string(RELAYAUDIT_SOURCE_DIR) + "/examples/scripts", "--tests",
                            "example-user-script,control-postmaster"});
  EXPECT_EQ(run.exit_code, 1) << run.err;  // the lab's open gateways relay it too
  const auto document = nlohmann::json::parse(testing::read_file(results));
  int ran = 0;
  int expanded = 0;
  for (const auto& endpoint : document["endpoints"]) {
    for (const auto& test : endpoint["tests"]) {
      if (test["id"] != "example-user-script") continue;
      ++ran;
      if (test["rcpt_to"].empty()) continue;  // refused before the test was expanded (554 banner)
      ++expanded;
      ASSERT_EQ(test["rcpt_to"].size(), 2u);
      EXPECT_EQ(test["rcpt_to"][1], "relayaudit-probe@relayaudit-external.invalid");
    }
  }
  EXPECT_EQ(ran, static_cast<int>(document["endpoints"].size()));
  EXPECT_GE(expanded, ran - 1);
  std::filesystem::remove_all(dir);
}

TEST(ScanCliScripts, ValidateNamesFileAndFieldOfEveryError) {
  const std::string dir = testing::make_temp_dir();
  testing::write_file(dir + "/bad.json",
                      R"({"id": "Bad Id", "kind": "relay", "title": "t", "description": "d",
                          "severity": "high", "trick": "recipient", "mail_from": "{ext_from}",
                          "rcpt_to": ["{nope}"], "expect": "reject"})");
  const testing::CommandResult bad = testing::run_command({kBinary, "tests", "validate", dir});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find(dir + "/bad.json"), std::string::npos) << bad.err;
  EXPECT_NE(bad.err.find("/id"), std::string::npos) << bad.err;
  const testing::CommandResult good = testing::run_command(
      {kBinary, "tests", "validate", std::string(RELAYAUDIT_SOURCE_DIR) + "/examples/scripts"});
  EXPECT_EQ(good.exit_code, 0) << good.err;
  std::filesystem::remove_all(dir);
}

TEST(ScanCliScripts, ListShowsTheWholeLibrary) {
  const testing::CommandResult list = testing::run_command({kBinary, "tests", "list"});
  ASSERT_EQ(list.exit_code, 0);
  const auto lines = std::count(list.out.begin(), list.out.end(), '\n');
  EXPECT_GE(lines, 30);
}

TEST_F(ScanCli, ConcurrencyAboveTheFileLimitIsLoweredAndTheScanStillCompletes) {
  // A hard limit of 256 descriptors: the default 1024 connections would fail as EMFILE.
  const std::string command =
      "ulimit -n 256 && exec " + std::string(kBinary) + " scan --lab -q -o " + path("results.json");
  const CommandResult run = run_command({"/bin/sh", "-c", command});
  ASSERT_FALSE(run.timed_out);
  EXPECT_EQ(run.exit_code, 1) << run.err;
  EXPECT_NE(run.err.find("--concurrency 1024 lowered to 192: the open-file limit is 256"),
            std::string::npos)
      << run.err;
  const auto results = nlohmann::json::parse(read_file(path("results.json")));
  for (const auto& endpoint : results["endpoints"]) {
    if (lab_profile_of(endpoint) == "reject-banner") continue;
    EXPECT_NE(endpoint["verdict"], "unreachable") << endpoint["endpoint"];
  }
  EXPECT_EQ(results["summary"]["verdict"], "open-relay");
}

TEST_F(ScanCli, ListOptionsTakeOneValuePerUseAndNeverSwallowTargets) {
  // The README's own line: the target after --tests-dir stays a target.
  const CommandResult readme =
      run_command({kBinary, "scan", "--tests", "core,sender,relay-bang-path", "--tests-dir",
                   std::string(RELAYAUDIT_SOURCE_DIR) + "/examples/scripts/", "127.0.0.1:1", "-q",
                   "-o", path("readme.json"), "--fail-on", "open-relay"});
  EXPECT_EQ(readme.exit_code, 0) << readme.err;
  const auto results = nlohmann::json::parse(read_file(path("readme.json")));
  ASSERT_EQ(results["endpoints"].size(), 1u);
  EXPECT_EQ(results["endpoints"][0]["endpoint"], "127.0.0.1:1");
  // Repeated uses add up.
  const CommandResult repeated =
      run_command({kBinary, "scan", "--tests", "relay-null-sender", "--tests",
                   "relay-external-sender", "127.0.0.1:1", "-q", "-o", path("repeated.json")});
  EXPECT_EQ(repeated.exit_code, 3) << repeated.err;
  const auto twice = nlohmann::json::parse(read_file(path("repeated.json")));
  EXPECT_EQ(twice["endpoints"][0]["tests"].size(), 2u);
}

// --mail-domain through the binary: checked like a domain, recorded in the options, and the
// domain the control asks first at a relay-only gateway.
TEST_F(ScanCli, MailDomainIsCheckedRecordedAndAskedFirst) {
  const CommandResult bad =
      run_command({kBinary, "scan", "--mail-domain", "corp example", "127.0.0.1:1"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("--mail-domain 'corp example': "), std::string::npos) << bad.err;

  const std::string endpoints = path("endpoints.txt");
  testing::BackgroundProcess lab(
      {kBinary, "lab", "--profile", "pure-gateway", "--endpoints-file", endpoints});
  for (int i = 0; i < 500 && read_file(endpoints).empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_FALSE(read_file(endpoints).empty()) << "the lab did not write its endpoints";
  const CommandResult run = run_command({kBinary, "scan", "-f", endpoints, "-q", "--mail-domain",
                                         "Corp.Relayaudit.Test.", "-o", path("results.json")});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  const auto results = nlohmann::json::parse(read_file(path("results.json")));
  EXPECT_EQ(results["options"]["mail_domain"], "corp.relayaudit.test");
  const auto& endpoint = results["endpoints"][0];
  EXPECT_EQ(endpoint["verdict"], "closed") << endpoint["verdict_reason"];
  for (const auto& test : endpoint["tests"]) {
    if (test["id"] != "control-postmaster") continue;
    EXPECT_EQ(test["rcpt_to"], nlohmann::json::array({"postmaster@corp.relayaudit.test"}));
    EXPECT_EQ(test["attempts"], 1);
  }
  EXPECT_EQ(lab.stop(), 0);
}

// mail-domain= on a targets-file line: the domain the "-domain" variants and the control use
// for that gateway, ahead of --mail-domain; a bad attribute is exit 2 naming the line.
TEST_F(ScanCli, TargetsFileMailDomainOpensTheDomainVariants) {
  const std::string endpoints = path("endpoints.txt");
  testing::BackgroundProcess lab(
      {kBinary, "lab", "--profile", "hole-routed-at-domain", "--endpoints-file", endpoints});
  for (int i = 0; i < 500 && read_file(endpoints).empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  const std::string listed = read_file(endpoints);
  ASSERT_FALSE(listed.empty()) << "the lab did not write its endpoints";
  const std::string gateway = listed.substr(0, listed.find('\n'));
  write_file(path("fleet.txt"), gateway + " mail-domain=corp.relayaudit.test  # relay_domains\n");
  const CommandResult run =
      run_command({kBinary, "scan", "-f", path("fleet.txt"), "-q", "--mail-domain",
                   "elsewhere.example", "-o", path("results.json")});
  EXPECT_EQ(run.exit_code, 1) << run.err;
  const auto results = nlohmann::json::parse(read_file(path("results.json")));
  const auto& endpoint = results["endpoints"][0];
  EXPECT_EQ(endpoint["verdict"], "open-relay") << endpoint["verdict_reason"];
  EXPECT_EQ(endpoint["mail_domain_declared"], "corp.relayaudit.test");
  std::set<std::string> failed;
  for (const auto& test : endpoint["tests"]) {
    if (test["verdict"] == "fail") failed.insert(test["id"].get<std::string>());
    if (test["id"] == "control-postmaster") {
      EXPECT_EQ(test["rcpt_to"], nlohmann::json::array({"postmaster@corp.relayaudit.test"}));
    }
  }
  EXPECT_EQ(failed, (std::set<std::string>{"relay-bang-path-domain", "relay-double-at-domain",
                                           "relay-percent-hack-domain", "relay-quoted-at-domain",
                                           "relay-source-route-domain"}));
  // Without a mail domain the same gateway passes: its holes are not at its own names.
  const CommandResult unnamed = run_command({kBinary, "scan", "-q", gateway});
  EXPECT_EQ(unnamed.exit_code, 0) << unnamed.out << unnamed.err;

  write_file(path("bad.txt"), "# fleet\n" + gateway + " mail_domain=corp.relayaudit.test\n");
  const CommandResult bad = run_command({kBinary, "scan", "-f", path("bad.txt")});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(
      bad.err.find(path("bad.txt") + ":2: 'mail_domain=corp.relayaudit.test': unknown "
                                     "attribute after the target (known: mail-domain=DOMAIN)"),
      std::string::npos)
      << bad.err;
  EXPECT_EQ(lab.stop(), 0);
}

// --color always colors the summary even into a pipe; never and NO_COLOR leave it plain.
TEST_F(ScanCli, ColorFollowsTheFlagAndNoColor) {
  const CommandResult always = run_command({kBinary, "scan", "--lab", "--color", "always"});
  EXPECT_NE(always.out.find("\033["), std::string::npos);
  const CommandResult never = run_command({kBinary, "scan", "--lab", "--color", "never"});
  EXPECT_EQ(never.out.find("\033["), std::string::npos);
  EXPECT_NE(never.out.find("run verdict: open-relay"), std::string::npos) << never.out;
  const CommandResult no_color = run_command(
      {"/bin/sh", "-c", "NO_COLOR=1 exec script -qec '" + kBinary + " scan --lab' /dev/null"});
  EXPECT_NE(no_color.out.find("run verdict"), std::string::npos) << no_color.describe();
  // On a terminal (script's pty), NO_COLOR leaves the verdicts plain; the progress line's
  // erase codes are not colors.
  EXPECT_EQ(no_color.out.find("\033[1;31m"), std::string::npos) << no_color.out;
  EXPECT_EQ(no_color.out.find("\033[32m"), std::string::npos) << no_color.out;
  const CommandResult terminal =
      run_command({"/bin/sh", "-c", "exec script -qec '" + kBinary + " scan --lab' /dev/null"});
  EXPECT_NE(terminal.out.find("\033[32m"), std::string::npos) << "auto colors a terminal";
  const CommandResult bad = run_command({kBinary, "scan", "--lab", "--color", "sometimes"});
  EXPECT_EQ(bad.exit_code, 2);
}

// -f - reads standard input; an empty list is an error naming its source; a file beside a
// target and a --resolver before a mail domain both leave every target a target.
TEST_F(ScanCli, TargetsFromStdinFilesAndArgumentsAllCount) {
  const CommandResult piped = run_command(
      {"/bin/sh", "-c",
       "printf '# two gateways\\n127.0.0.1:1\\n\\n127.0.0.1:2\\n' | '" + kBinary +
           "' scan -f - -q --tests control-postmaster -o '" + path("stdin.json") + "'"});
  EXPECT_EQ(piped.exit_code, 3) << piped.describe() << piped.err;
  const auto from_stdin = nlohmann::json::parse(read_file(path("stdin.json")));
  ASSERT_EQ(from_stdin["endpoints"].size(), 2u);
  EXPECT_EQ(from_stdin["endpoints"][1]["endpoint"], "127.0.0.1:2");

  const CommandResult empty_stdin =
      run_command({"/bin/sh", "-c", "'" + kBinary + "' scan -f - -q </dev/null"});
  EXPECT_EQ(empty_stdin.exit_code, 2);
  EXPECT_NE(empty_stdin.err.find("stdin: no targets in it"), std::string::npos) << empty_stdin.err;
  write_file(path("empty.txt"), "# nothing yet\n\n");
  const CommandResult empty_file = run_command({kBinary, "scan", "-f", path("empty.txt"), "-q"});
  EXPECT_EQ(empty_file.exit_code, 2);
  EXPECT_NE(empty_file.err.find(path("empty.txt") + ": no targets in it"), std::string::npos)
      << empty_file.err;

  write_file(path("list.txt"), "127.0.0.1:1\n");
  const CommandResult both =
      run_command({kBinary, "scan", "-f", path("list.txt"), "127.0.0.1:2", "--dry-run"});
  EXPECT_EQ(both.exit_code, 0) << both.err;
  EXPECT_NE(both.out.find("targets (2):"), std::string::npos) << both.out;
  const CommandResult resolver =
      run_command({kBinary, "scan", "--resolver", "127.0.0.1:5353", "example.test", "--dry-run"});
  EXPECT_EQ(resolver.exit_code, 0) << resolver.err;
  EXPECT_NE(resolver.out.find("example.test  (argument)  mail domain"), std::string::npos)
      << resolver.out;
}

}  // namespace
}  // namespace relayaudit
