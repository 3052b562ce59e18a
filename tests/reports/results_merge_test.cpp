// merge_results on hand-made shard documents: the coverage rules a real scan never breaks (an
// endpoint in the wrong shard, a skipped endpoint nobody audited), interrupted shards, and the
// vantage shown for a tie.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "reports/results_merge.hpp"
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

std::string merge_error(const std::vector<MergeInput>& inputs, bool by_vantage = false) {
  MergeRequest request;
  request.by_vantage = by_vantage;
  auto merged = merge_results(inputs, request);
  const auto* error = std::get_if<std::string>(&merged);
  return error != nullptr ? *error : "";
}

TEST(ResultsMerge, TwoShardsJoinAndTheSummaryCountsBoth) {
  const auto one = keys_of_shard(1, 2, 2);
  const auto two = keys_of_shard(2, 2, 1);
  MergeRequest request;
  auto merged = merge_results(
      {{"a.json", shard_doc(1, 2, one, two)}, {"b.json", shard_doc(2, 2, two, one)}}, request);
  ASSERT_TRUE(std::holds_alternative<json>(merged)) << std::get<std::string>(merged);
  const json& document = std::get<json>(merged);
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
  const std::string error =
      merge_error({{"a.json", shard_doc(1, 2, {}, two)}, {"b.json", shard_doc(2, 2, one, {})}});
  EXPECT_NE(error.find("b.json (shard 2/2) audited " + one[0]), std::string::npos) << error;
  EXPECT_NE(error.find("gives to shard 1 of 2"), std::string::npos) << error;
}

TEST(ResultsMerge, ASkippedEndpointItsShardDidNotAuditIsRefusedUnlessThatShardWasInterrupted) {
  const auto one = keys_of_shard(1, 2, 1);
  const auto two = keys_of_shard(2, 2, 2);
  const std::vector<std::string> second_only = {two[0]};
  const std::string error = merge_error(
      {{"a.json", shard_doc(1, 2, one, two)}, {"b.json", shard_doc(2, 2, second_only, one)}});
  EXPECT_NE(error.find("a.json skipped " + two[1] + " for shard 2, but b.json did not audit it"),
            std::string::npos)
      << error;

  json interrupted = shard_doc(2, 2, second_only, one);
  interrupted["complete"] = false;
  MergeRequest request;
  auto merged =
      merge_results({{"a.json", shard_doc(1, 2, one, two)}, {"b.json", interrupted}}, request);
  ASSERT_TRUE(std::holds_alternative<json>(merged)) << std::get<std::string>(merged);
  EXPECT_EQ(std::get<json>(merged)["complete"], false);
  EXPECT_EQ(std::get<json>(merged)["summary"]["endpoints"], 2);
}

TEST(ResultsMerge, AHostileShardCountIsRefusedBeforeAnythingCountsToIt) {
  json hostile = shard_doc(1, 1, {}, {});
  hostile["run"]["shard"]["n"] = 1LL << 40;
  const std::string error = merge_error({{"h.json", hostile}});
  EXPECT_NE(error.find("h.json: /run/shard"), std::string::npos) << error;
}

TEST(ResultsMerge, ByVantageShowsTheWorstAndOnATieTheFirstGiven) {
  const std::string key = "192.0.2.9:25";
  json branch = shard_doc(1, 1, {}, {}, "branch");
  json internet = shard_doc(1, 1, {}, {}, "internet");
  branch["endpoints"].push_back(endpoint_doc(key, "closed"));
  internet["endpoints"].push_back(endpoint_doc(key, "closed"));
  branch["endpoints"].push_back(endpoint_doc("192.0.2.10:25", "closed"));
  internet["endpoints"].push_back(endpoint_doc("192.0.2.10:25", "open-relay"));
  MergeRequest request;
  request.by_vantage = true;
  auto merged = merge_results({{"b.json", branch}, {"i.json", internet}}, request);
  ASSERT_TRUE(std::holds_alternative<json>(merged)) << std::get<std::string>(merged);
  const json& endpoints = std::get<json>(merged)["endpoints"];
  ASSERT_EQ(endpoints.size(), 2u);
  EXPECT_EQ(endpoints[0]["endpoint"], key);
  EXPECT_TRUE(endpoints[0]["vantages"][0]["shown"]);
  EXPECT_FALSE(endpoints[0]["vantages"][1]["shown"]);
  EXPECT_EQ(endpoints[1]["verdict"], "open-relay");
  EXPECT_TRUE(endpoints[1]["vantages"][1]["shown"]);
  EXPECT_EQ(std::get<json>(merged)["summary"]["open_relay"], 1);
  EXPECT_FALSE(std::get<json>(merged)["run"].contains("vantage_name"));
}

}  // namespace
}  // namespace relayaudit
