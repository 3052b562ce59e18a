// `relayaudit merge`: joins the results documents of the shards of one audit (scan --shard K/N)
// or of audits of the same targets from several vantages into one document that every report
// and `diff` read like a single scan.
#pragma once

#include <cstddef>
#include <string>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "reports/endpoint_digest.hpp"
#include "reports/results_merge_checks.hpp"
#include "reports/run_provenance.hpp"

namespace relayaudit {

struct MergeRequest {
  // Keep one result per vantage of an endpoint audited from several places, instead of refusing
  // the duplicate. The endpoint object is the worst vantage's result (the first given on a tie),
  // with "vantages" listing every vantage's verdict.
  bool by_vantage = false;
  RunProvenance run;  // the merge's own; its "shards" is filled with one entry per document
};

// One endpoint of the merged document: which input's endpoint (by position) it is.
struct MergePick {
  std::size_t input = 0;  // into the inputs given to merge_results
  std::size_t index = 0;  // the endpoint's position in that document
  std::size_t order = 0;  // its position in the merged document
  std::string key;
  nlohmann::json vantages;  // --by-vantage: the endpoint's "vantages"; null otherwise
  EndpointDigest digest;
};

struct MergePlan {
  nlohmann::json header;         // the merged document without its endpoints ("endpoints": [])
  std::vector<MergePick> picks;  // by input, then index: one pass over each input writes them
};

// Plans the merge of `inputs` (documents whose endpoints are merge_endpoint_facts), or says why
// they cannot be one audit, naming the files. Endpoints are the union, ordered by address then
// port; the summary and domain verdicts are recomputed from them; unresolved targets are the
// union; "complete" is false if any input was incomplete.
std::variant<MergePlan, std::string> merge_results(const std::vector<MergeInput>& inputs,
                                                   MergeRequest request);

}  // namespace relayaudit
