// merge_results on hand-made shard documents: the coverage rules a real scan never breaks (an
// endpoint in the wrong shard, a skipped endpoint nobody audited), interrupted shards, and the
// vantage shown for a tie.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "reports/results_merge.hpp"
#include "reports/results_merge_reader.hpp"
#include "reports/shard_key.hpp"

namespace relayaudit {
namespace {

using nlohmann::json;

// The first addresses 192.0.2.x:25 that the rule gives to shard `k` of `n`.
std::vector<std::string> keys_of_shard(int k, int n, std::size_t count) {
  std::vector<std::string> keys;
  for (int host = 1; keys.size() < count && host < 255; ++host) {
    const std::string key = "192.0.2." + std::to_string(host) + ":25";
    if (shard_of_key(key, n) == k) keys.push_back(key);
  }
  return keys;
}

json endpoint_doc(const std::string& key, const std::string& verdict) {
  return {{"endpoint", key}, {"verdict", verdict}, {"tests", json::array()}};
}

json shard_doc(int k, int n, const std::vector<std::string>& audited,
               const std::vector<std::string>& skipped, const std::string& vantage = "here") {
  json endpoints = json::array();
  for (const auto& key : audited) endpoints.push_back(endpoint_doc(key, "closed"));
  return {{"schema_version", "2.0"},
          {"started_at", "2026-01-01T00:00:0" + std::to_string(k) + ".000Z"},
          {"finished_at", "2026-01-01T00:01:0" + std::to_string(k) + ".000Z"},
          {"complete", true},
          {"options", {{"tls", "auto"}}},
          {"scripts", {{"relay-x", {{"sha256", "ab"}}}}},
          {"unresolved", json::array()},
          {"dnsbl_zones", json::array()},
          {"domains", json::array()},
          {"run",
           {{"user", "u"},
            {"uid", 1},
            {"host", "h" + std::to_string(k)},
            {"working_directory", "/"},
            {"command_line", {"relayaudit", "scan"}},
            {"vantage_name", vantage},
            {"shard", {{"k", k}, {"n", n}, {"rule", kShardRule}, {"skipped", skipped}}}}},
          {"endpoints", std::move(endpoints)}};
}

// The plan of merging `documents` (named a.json, b.json, ...), as merge reads them.
std::variant<MergePlan, std::string> plan_of(const std::vector<json>& documents,
                                             bool by_vantage = false) {
  std::vector<MergeInput> inputs;
  for (std::size_t i = 0; i < documents.size(); ++i) {
    inputs.push_back(
        {std::string(1, static_cast<char>('a' + i)) + ".json", merge_facts_document(documents[i])});
  }
  MergeRequest request;
  request.by_vantage = by_vantage;
  return merge_results(inputs, request);
}

std::string merge_error(const std::vector<json>& documents, bool by_vantage = false) {
  auto merged = plan_of(documents, by_vantage);
  const auto* error = std::get_if<std::string>(&merged);
  return error != nullptr ? *error : "";
}

TEST(ResultsMerge, TwoShardsJoinAndTheSummaryCountsBoth) {
  const auto one = keys_of_shard(1, 2, 2);
  const auto two = keys_of_shard(2, 2, 1);
  auto merged = plan_of({shard_doc(1, 2, one, two), shard_doc(2, 2, two, one)});
  ASSERT_TRUE(std::holds_alternative<MergePlan>(merged)) << std::get<std::string>(merged);
  const json& document = std::get<MergePlan>(merged).header;
  EXPECT_EQ(std::get<MergePlan>(merged).picks.size(), 3u);
  EXPECT_EQ(document["summary"]["endpoints"], 3);
  EXPECT_EQ(document["summary"]["closed"], 3);
  EXPECT_EQ(document["started_at"], "2026-01-01T00:00:01.000Z");
  EXPECT_EQ(document["finished_at"], "2026-01-01T00:01:02.000Z");
  EXPECT_EQ(document["duration_ms"], 61000);
  EXPECT_EQ(document["run"]["shards"][1]["host"], "h2");
  EXPECT_EQ(document["run"]["vantage_name"], "here");
}

TEST(ResultsMerge, AnEndpointInTheWrongShardIsRefused) {
  const auto one = keys_of_shard(1, 2, 1);
  const auto two = keys_of_shard(2, 2, 1);
  const std::string error = merge_error({shard_doc(1, 2, {}, two), shard_doc(2, 2, one, {})});
  EXPECT_NE(error.find("b.json (shard 2/2) audited " + one[0]), std::string::npos) << error;
  EXPECT_NE(error.find("gives to shard 1 of 2"), std::string::npos) << error;
}

TEST(ResultsMerge, ASkippedEndpointItsShardDidNotAuditIsRefusedUnlessThatShardWasInterrupted) {
  const auto one = keys_of_shard(1, 2, 1);
  const auto two = keys_of_shard(2, 2, 2);
  const std::vector<std::string> second_only = {two[0]};
  const std::string error =
      merge_error({shard_doc(1, 2, one, two), shard_doc(2, 2, second_only, one)});
  EXPECT_NE(error.find("a.json skipped " + two[1] + " for shard 2, but b.json did not audit it"),
            std::string::npos)
      << error;

  json interrupted = shard_doc(2, 2, second_only, one);
  interrupted["complete"] = false;
  auto merged = plan_of({shard_doc(1, 2, one, two), interrupted});
  ASSERT_TRUE(std::holds_alternative<MergePlan>(merged)) << std::get<std::string>(merged);
  EXPECT_EQ(std::get<MergePlan>(merged).header["complete"], false);
  EXPECT_EQ(std::get<MergePlan>(merged).header["summary"]["endpoints"], 2);
}

// Shards of one audit must ask the servers to judge the same client (--xclient, PROXY).
TEST(ResultsMerge, ShardsThatSimulatedDifferentClientsAreRefused) {
  const auto one = keys_of_shard(1, 2, 1);
  const auto two = keys_of_shard(2, 2, 1);
  json direct = shard_doc(1, 2, one, two);
  direct["run"]["vantage"] = {{"mode", "direct"}, {"client", nullptr}};
  json outsider = shard_doc(2, 2, two, one);
  outsider["run"]["vantage"] = {{"mode", "xclient"}, {"client", "203.0.113.7"}};
  const std::string error = merge_error({direct, outsider});
  EXPECT_NE(error.find("a.json and b.json asked the servers to judge "
                       "different clients"),
            std::string::npos)
      << error;
  outsider["run"]["vantage"] = direct["run"]["vantage"];
  EXPECT_EQ(merge_error({direct, outsider}), "");
}

TEST(ResultsMerge, AHostileShardCountIsRefusedBeforeAnythingCountsToIt) {
  json hostile = shard_doc(1, 1, {}, {});
  hostile["run"]["shard"]["n"] = 1LL << 40;
  const std::string error = merge_error({hostile});
  EXPECT_NE(error.find("a.json: /run/shard"), std::string::npos) << error;
}

TEST(ResultsMerge, ByVantageShowsTheWorstAndOnATieTheFirstGiven) {
  const std::string key = "192.0.2.9:25";
  json branch = shard_doc(1, 1, {}, {}, "branch");
  json internet = shard_doc(1, 1, {}, {}, "internet");
  branch["endpoints"].push_back(endpoint_doc(key, "closed"));
  internet["endpoints"].push_back(endpoint_doc(key, "closed"));
  branch["endpoints"].push_back(endpoint_doc("192.0.2.10:25", "closed"));
  internet["endpoints"].push_back(endpoint_doc("192.0.2.10:25", "open-relay"));
  auto merged = plan_of({branch, internet}, true);
  ASSERT_TRUE(std::holds_alternative<MergePlan>(merged)) << std::get<std::string>(merged);
  const MergePlan& plan = std::get<MergePlan>(merged);
  ASSERT_EQ(plan.picks.size(), 2u);
  // Picks come by input then position; the tie is shown from the first input, the open one
  // from the second.
  EXPECT_EQ(plan.picks[0].key, key);
  EXPECT_EQ(plan.picks[0].input, 0u);
  EXPECT_EQ(plan.picks[0].order, 0u);
  EXPECT_TRUE(plan.picks[0].vantages[0]["shown"]);
  EXPECT_FALSE(plan.picks[0].vantages[1]["shown"]);
  EXPECT_EQ(plan.picks[1].input, 1u);
  EXPECT_EQ(plan.picks[1].digest.verdict, EndpointVerdict::open_relay);
  EXPECT_TRUE(plan.picks[1].vantages[1]["shown"]);
  EXPECT_EQ(plan.header["summary"]["open_relay"], 1);
  EXPECT_FALSE(plan.header["run"].contains("vantage_name"));
}

}  // namespace
}  // namespace relayaudit
