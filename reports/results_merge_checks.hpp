// What `relayaudit merge` checks before it joins documents: one plan, the same verdict-changing
// options, and shards that cover the fleet exactly once.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace relayaudit {

struct MergeInput {
  std::string file;  // as given on the command line, for messages
  nlohmann::json document;
};

// What makes a parsed document unusable for merging (not an object, a schema_version other than
// 2.x, no "endpoints" array, an endpoint without a string "endpoint" or a known "verdict",
// an endpoint listed twice), naming the JSON pointer; nullopt when it can be merged.
std::optional<std::string> merge_input_problem(const nlohmann::json& document);

// The options whose values change verdicts: documents that differ in one of them audited
// different things and cannot be one audit. Pacing, timeouts and output paths may differ.
const std::vector<std::string>& verdict_changing_options();

// The first pair of documents with different scripts (ids or SHA-256), naming both files.
std::optional<std::string> plan_mismatch(const std::vector<MergeInput>& inputs);

// The first pair of documents that differ in a verdict-changing option, naming both files.
std::optional<std::string> option_mismatch(const std::vector<MergeInput>& inputs);

// One document's place in a sharded audit (an unsharded scan is shard 1/1).
struct ShardPart {
  const MergeInput* input = nullptr;
  int k = 1;
  int n = 1;
  std::string vantage;  // run.vantage_name, else run.host, else "unnamed"
  bool complete = true;
  std::vector<std::string> audited;  // endpoint keys, document order
  std::vector<std::string> skipped;  // run.shard.skipped
};

// The first two parts of one audit that asked the servers to judge different clients (run.vantage:
// direct, --xclient or --proxy-protocol and the address): their verdicts do not add up.
std::optional<std::string> simulated_client_mismatch(const std::vector<const ShardPart*>& audit);

// Reads the part from the document's run block; an error names the file and the member.
std::optional<std::string> read_shard_part(const MergeInput& input, ShardPart& part);

// For the parts of one vantage (or of the whole merge without --by-vantage): one N, every K from
// 1 to N exactly once, every endpoint audited by the shard the rule gives it, and every endpoint
// any shard saw audited by one of them (unless that shard's scan was interrupted).
std::optional<std::string> coverage_problem(const std::vector<const ShardPart*>& parts);

}  // namespace relayaudit
