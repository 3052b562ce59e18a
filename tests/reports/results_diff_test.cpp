// `relayaudit diff`: each kind of change between two hand-built documents, and the exit codes.
#include "reports/results_diff.hpp"

#include <gtest/gtest.h>

#include "reports/results_json.hpp"
#include "support/process.hpp"
#include "support/sample_scan.hpp"
#include "support/temp_dir.hpp"

namespace relayaudit {
namespace {

using nlohmann::json;

// An endpoint with tests given as {script id, test verdict}.
json endpoint(const std::string& key, const std::string& verdict,
              const std::vector<std::pair<std::string, std::string>>& tests = {}) {
  json list = json::array();
  for (const auto& [id, test_verdict] : tests)
    list.push_back({{"id", id}, {"verdict", test_verdict}});
  return {{"endpoint", key}, {"verdict", verdict}, {"tests", list}};
}

json document(std::vector<json> endpoints, bool complete = true) {
  return {{"schema_version", "1.0"}, {"complete", complete}, {"endpoints", endpoints}};
}

const json kClosed = endpoint("192.0.2.1:25", "closed", {{"relay-a", "pass"}, {"relay-b", "pass"}});
const json kOpen =
    endpoint("192.0.2.1:25", "open-relay", {{"relay-a", "fail"}, {"relay-b", "pass"}});

TEST(ResultsDiff, IdenticalScansHaveNoChange) {
  const ResultsDiff diff = diff_results(document({kOpen, endpoint("192.0.2.2:25", "closed")}),
                                        document({kOpen, endpoint("192.0.2.2:25", "closed")}));
  EXPECT_FALSE(relaying_got_worse(diff));
  EXPECT_FALSE(coverage_got_worse(diff));
  EXPECT_EQ(diff_to_text(diff), "Result: no change\n");
}

TEST(ResultsDiff, ClosedEndpointThatNowRelaysIsANewOpenRelay) {
  const ResultsDiff diff = diff_results(document({kClosed}), document({kOpen}));
  ASSERT_EQ(diff.new_open_relays.size(), 1u);
  EXPECT_EQ(diff.new_open_relays[0].before, "closed");
  EXPECT_EQ(diff.new_open_relays[0].failing_scripts, std::vector<std::string>{"relay-a"});
  EXPECT_TRUE(diff.newly_failing.empty());  // named under the endpoint, not twice
  EXPECT_TRUE(relaying_got_worse(diff));
  const std::string text = diff_to_text(diff);
  EXPECT_NE(text.find("New open relays (1):\n  192.0.2.1:25  closed -> open-relay  accepted: "
                      "relay-a\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("Result: worse: 1 new open relay, 0 newly accepted relay attempts"),
            std::string::npos);
}

TEST(ResultsDiff, NewEndpointThatRelaysIsAddedAndANewOpenRelay) {
  const ResultsDiff diff =
      diff_results(document({}), document({endpoint("192.0.2.7:25", "open-relay")}));
  EXPECT_EQ(diff.added.size(), 1u);
  ASSERT_EQ(diff.new_open_relays.size(), 1u);
  EXPECT_EQ(diff.new_open_relays[0].before, "");
  EXPECT_TRUE(relaying_got_worse(diff));
}

TEST(ResultsDiff, NewlyAcceptedScriptOnAKnownOpenRelayIsWorse) {
  const json now = endpoint("192.0.2.1:25", "open-relay",
                            {{"relay-a", "fail"}, {"relay-b", "fail"}, {"relay-new", "fail"}});
  const ResultsDiff diff = diff_results(document({kOpen}), document({now}));
  EXPECT_TRUE(diff.new_open_relays.empty());
  ASSERT_EQ(diff.newly_failing.size(), 2u);
  EXPECT_EQ(diff.newly_failing[0].script, "relay-b");
  EXPECT_EQ(diff.newly_failing[0].before, "pass");
  EXPECT_EQ(diff.newly_failing[1].script, "relay-new");
  EXPECT_EQ(diff.newly_failing[1].before, "");  // not in the baseline's plan
  EXPECT_TRUE(relaying_got_worse(diff));
  EXPECT_NE(diff_to_text(diff).find("192.0.2.1:25  relay-new  absent -> fail"), std::string::npos);
}

TEST(ResultsDiff, APlaintextReRunIsComparedOnItsOwnPath) {
  // --tls auto: relay-a inside TLS and again in plaintext; only the plaintext one starts failing.
  const auto on_paths = [](const std::string& verdict, const std::string& plain_verdict) {
    json endpoint_json = endpoint("192.0.2.1:25", verdict);
    endpoint_json["tests"] = {{{"id", "relay-a"}, {"verdict", "fail"}, {"path", "tls"}},
                              {{"id", "relay-a"}, {"verdict", plain_verdict}, {"path", "plain"}}};
    return endpoint_json;
  };
  const ResultsDiff diff = diff_results(document({on_paths("open-relay", "pass")}),
                                        document({on_paths("open-relay", "fail")}));
  ASSERT_EQ(diff.newly_failing.size(), 1u);
  EXPECT_EQ(diff.newly_failing[0].script, "relay-a (plaintext)");
  EXPECT_EQ(diff.newly_failing[0].before, "pass");
}

TEST(ResultsDiff, FixedRelayAndFixedScriptsAreNotWorse) {
  const ResultsDiff fixed = diff_results(document({kOpen}), document({kClosed}));
  ASSERT_EQ(fixed.fixed.size(), 1u);
  EXPECT_FALSE(relaying_got_worse(fixed));
  EXPECT_NE(diff_to_text(fixed).find("Fixed: open relay now closed (1)"), std::string::npos);

  const json both =
      endpoint("192.0.2.1:25", "open-relay", {{"relay-a", "fail"}, {"relay-b", "fail"}});
  const ResultsDiff fewer = diff_results(document({both}), document({kOpen}));
  ASSERT_EQ(fewer.no_longer_failing.size(), 1u);
  EXPECT_EQ(fewer.no_longer_failing[0].script, "relay-b");
  EXPECT_EQ(fewer.no_longer_failing[0].after, "pass");
  EXPECT_FALSE(relaying_got_worse(fewer));
  EXPECT_NE(diff_to_text(fewer).find("Result: no new open relay"), std::string::npos);
}

TEST(ResultsDiff, OpenRelayTurnedUnreachableIsNotCalledFixed) {
  const ResultsDiff diff =
      diff_results(document({kOpen}), document({endpoint("192.0.2.1:25", "unreachable")}));
  EXPECT_TRUE(diff.fixed.empty());
  ASSERT_EQ(diff.other_changes.size(), 1u);
  EXPECT_EQ(diff.other_changes[0].after, "unreachable");
  EXPECT_FALSE(relaying_got_worse(diff));
  EXPECT_FALSE(coverage_got_worse(diff));
}

TEST(ResultsDiff, CoverageChangesAreListedAndCountOnlyWhenWorse) {
  const auto change = [](const char* before, const char* after) {
    return diff_results(document({endpoint("192.0.2.3:25", before)}),
                        document({endpoint("192.0.2.3:25", after)}));
  };
  const ResultsDiff worse = change("closed", "inconclusive");
  ASSERT_EQ(worse.other_changes.size(), 1u);
  EXPECT_FALSE(relaying_got_worse(worse));
  EXPECT_TRUE(coverage_got_worse(worse));
  EXPECT_NE(diff_to_text(worse).find("Other verdict changes (1):\n  192.0.2.3:25  closed -> "
                                     "inconclusive\n"),
            std::string::npos);
  EXPECT_TRUE(coverage_got_worse(change("closed", "unreachable")));
  EXPECT_TRUE(coverage_got_worse(change("unreachable", "inconclusive")));
  EXPECT_FALSE(coverage_got_worse(change("inconclusive", "closed")));
  EXPECT_FALSE(coverage_got_worse(change("inconclusive", "unreachable")));
  EXPECT_TRUE(coverage_got_worse(
      diff_results(document({}), document({endpoint("192.0.2.4:25", "inconclusive")}))));
}

TEST(ResultsDiff, RemovedEndpointsAndAnIncompleteCurrentScan) {
  const ResultsDiff diff =
      diff_results(document({kOpen, endpoint("192.0.2.2:25", "closed")}), document({}, false));
  ASSERT_EQ(diff.removed.size(), 2u);
  EXPECT_EQ(diff.removed[0].before, "open-relay");
  EXPECT_TRUE(diff.fixed.empty());  // gone is not fixed
  const std::string text = diff_to_text(diff);
  EXPECT_NE(text.find("Endpoints removed (2):\n  192.0.2.1:25  open-relay -> absent\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("the current scan is incomplete"), std::string::npos);
}

TEST(ResultsDiff, JsonCarriesEveryListAndTheVerdict) {
  const json out = diff_to_json(diff_results(document({kClosed}), document({kOpen})));
  EXPECT_EQ(out["worse"], true);
  EXPECT_EQ(out["coverage_worse"], false);
  EXPECT_EQ(out["new_open_relays"][0]["endpoint"], "192.0.2.1:25");
  EXPECT_EQ(out["new_open_relays"][0]["failing_scripts"], json({"relay-a"}));
  for (const char* key :
       {"newly_failing", "fixed", "no_longer_failing", "other_changes", "added", "removed"}) {
    EXPECT_TRUE(out[key].is_array()) << key;
  }
}

TEST(ResultsDiff, HostileNamesCannotDriveTheTerminal) {
  const ResultsDiff diff = diff_results(document({}), document({endpoint("\x1b[2J\xe2\x80\xae"
                                                                         "evil:25",
                                                                         "open-relay")}));
  const std::string text = diff_to_text(diff);
  EXPECT_EQ(text.find('\x1b'), std::string::npos);
  EXPECT_NE(text.find("\\x1b[2J\\xe2\\x80\\xaeevil:25"), std::string::npos) << text;
}

TEST(ResultsDiff, InputProblemsNameWhereTheDocumentIsWrong) {
  EXPECT_EQ(diff_input_problem(document({kOpen})), std::nullopt);
  EXPECT_EQ(diff_input_problem(results_to_json(testing::make_sample_scan())), std::nullopt);
  EXPECT_NE(diff_input_problem(json::array()), std::nullopt);
  EXPECT_EQ(diff_input_problem(json{{"schema_version", "1.0"}}),
            "/endpoints: missing or not an array");
  EXPECT_EQ(diff_input_problem(json{{"schema_version", "2.0"}, {"endpoints", json::array()}}),
            std::nullopt);
  EXPECT_EQ(diff_input_problem(json{{"schema_version", "3.0"}, {"endpoints", json::array()}}),
            "schema_version \"3.0\" is not 1.x or 2.x, the versions this relayaudit reads");
  EXPECT_EQ(diff_input_problem(document({kOpen, kOpen})),
            "/endpoints/1: endpoint 192.0.2.1:25 appears twice");
  EXPECT_EQ(diff_input_problem(document({endpoint("192.0.2.1:25", "maybe")})),
            "/endpoints/0/verdict: not one of open-relay, closed, inconclusive, unreachable");
  EXPECT_EQ(diff_input_problem(document({json{{"verdict", "closed"}}})),
            "/endpoints/0/endpoint: missing or not a string");
  // A second entry for a script once made a document differ from itself (found by the fuzzer).
  const json twice =
      endpoint("192.0.2.1:25", "open-relay", {{"relay-a", "pass"}, {"relay-a", "fail"}});
  EXPECT_EQ(diff_input_problem(document({twice})),
            "/endpoints/0/tests/1: script relay-a appears twice");
  json both_paths = twice;
  both_paths["tests"][0]["path"] = "plain";
  both_paths["tests"][1]["path"] = "tls";
  EXPECT_EQ(diff_input_problem(document({both_paths})), std::nullopt);
  // An MX of two scanned domains runs the postmaster control once for each (issue 14 merge).
  json two_domains = endpoint("192.0.2.1:25", "closed",
                              {{"control-postmaster", "pass"}, {"control-postmaster", "pass"}});
  two_domains["tests"][0]["mail_domain"] = "a.example";
  two_domains["tests"][1]["mail_domain"] = "b.example";
  EXPECT_EQ(diff_input_problem(document({two_domains})), std::nullopt);
  json same_domain = two_domains;
  same_domain["tests"][1]["mail_domain"] = "a.example";
  EXPECT_EQ(diff_input_problem(document({same_domain})),
            "/endpoints/0/tests/1: script control-postmaster appears twice");
  json no_id = kOpen;
  no_id["tests"][1].erase("id");
  EXPECT_EQ(diff_input_problem(document({no_id})),
            "/endpoints/0/tests/1: needs a string id and verdict");
}

#ifdef RELAYAUDIT_BINARY

class DiffCli : public ::testing::Test {
 protected:
  void SetUp() override {
    // The subcommand is wired into main.cpp separately; until then there is nothing to run.
    const auto help = testing::run_command({RELAYAUDIT_BINARY, "--help"});
    if (help.out.find("\n  diff ") == std::string::npos) {
      GTEST_SKIP() << "this relayaudit binary has no diff command yet";
    }
  }
  std::string file(const std::string& name, const json& content) const {
    return dir_.write(name, content.dump(2)).string();
  }
  testing::CommandResult diff(std::vector<std::string> args) const {
    args.insert(args.begin(), {RELAYAUDIT_BINARY, "diff"});
    return testing::run_command(args, std::chrono::seconds(30));
  }
  testing::TempDir dir_;
};

TEST_F(DiffCli, NewOpenRelayExitsOne) {
  // A real document: the sample scan, with its open relay still closed in the baseline.
  const json current = results_to_json(testing::make_sample_scan());
  json baseline = current;
  for (json& endpoint : baseline["endpoints"]) {
    if (endpoint["verdict"] == "open-relay") endpoint["verdict"] = "closed";
    for (json& test : endpoint["tests"]) test["verdict"] = "pass";
  }
  const auto run = diff({file("baseline.json", baseline), file("current.json", current)});
  EXPECT_EQ(run.exit_code, 1) << run.describe() << run.err;
  EXPECT_NE(run.out.find("New open relays (1):\n  192.0.2.1:25  closed -> open-relay"),
            std::string::npos)
      << run.out;
  const auto reverse = diff({file("current.json", current), file("baseline.json", baseline)});
  EXPECT_EQ(reverse.exit_code, 0) << reverse.out;
  EXPECT_NE(reverse.out.find("Fixed: open relay now closed (1)"), std::string::npos);
}

TEST_F(DiffCli, UnchangedExitsZeroAndJsonParses) {
  const std::string scan = file("scan.json", results_to_json(testing::make_sample_scan()));
  const auto run = diff({scan, scan, "--json"});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  const json out = json::parse(run.out);
  EXPECT_EQ(out["worse"], false);
  EXPECT_EQ(out["baseline"], scan);
}

TEST_F(DiffCli, FailOnInconclusiveExitsThreeForWorseCoverage) {
  const std::string before = file("before.json", document({endpoint("192.0.2.3:25", "closed")}));
  const std::string after =
      file("after.json", document({endpoint("192.0.2.3:25", "inconclusive")}));
  EXPECT_EQ(diff({before, after}).exit_code, 0);
  EXPECT_EQ(diff({before, after, "--fail-on", "inconclusive"}).exit_code, 3);
  EXPECT_EQ(diff({before, after, "--fail-on", "sometimes"}).exit_code, 2);
}

TEST_F(DiffCli, UnreadableOrInvalidInputExitsTwoNamingTheFile) {
  const std::string good = file("good.json", document({kOpen}));
  const std::string missing = (dir_.path() / "missing.json").string();
  const std::string broken = dir_.write("broken.json", "{\"endpoints\": [").string();
  const std::string other = file("other.json", json{{"name", "not a scan"}});
  for (const auto& [args, named] : std::vector<std::pair<std::vector<std::string>, std::string>>{
           {{missing, good}, missing}, {{good, broken}, broken}, {{other, good}, other}}) {
    const auto run = diff(args);
    EXPECT_EQ(run.exit_code, 2) << named << ": " << run.err;
    // "file: why" or, for a syntax error, "file:line:column: why".
    EXPECT_NE(run.err.find("relayaudit: " + named + ":"), std::string::npos) << run.err;
  }
  EXPECT_EQ(diff({good}).exit_code, 2);  // the current document is required
}

#endif

}  // namespace
}  // namespace relayaudit
