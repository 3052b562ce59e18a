// Refusals of `relayaudit merge`: different plans, different verdict options, shard gaps.
#include "reports/results_merge_checks.hpp"

#include <map>
#include <set>

#include "reports/safe_text.hpp"
#include "reports/shard_key.hpp"
#include "results/audit_result.hpp"

namespace relayaudit {
namespace {

using nlohmann::json;

std::string named(const MergeInput& input) {
  return terminal_safe(input.file);
}

const json& merge_member(const json& object, const char* key) {
  static const json kNull;
  if (!object.is_object()) return kNull;
  const auto found = object.find(key);
  return found == object.end() ? kNull : *found;
}

// id -> sha256 ("" when the document recorded none).
std::map<std::string, std::string> plan_of(const json& document) {
  std::map<std::string, std::string> plan;
  const json& scripts = merge_member(document, "scripts");
  if (!scripts.is_object()) return plan;
  for (const auto& [id, facts] : scripts.items()) {
    const json& sha = merge_member(facts, "sha256");
    plan[id] = sha.is_string() ? sha.get<std::string>() : "";
  }
  return plan;
}

// As scan --shard allows.
constexpr int kMostMergedShards = 100000;

std::string shard_text(const ShardPart& part) {
  return std::to_string(part.k) + "/" + std::to_string(part.n);
}

}  // namespace

std::optional<std::string> merge_input_problem(const json& document) {
  if (!document.is_object()) return "not a results document (expected a JSON object)";
  const json& version = merge_member(document, "schema_version");
  // Shards are written by this relayaudit: a 1.x document has no run.shard to check.
  if (!version.is_string() || version.get<std::string>().rfind("2.", 0) != 0) {
    return "/schema_version: missing or not 2.x (merge joins documents of relayaudit scan 2.x)";
  }
  const json& endpoints = merge_member(document, "endpoints");
  if (!endpoints.is_array()) return "/endpoints: missing or not an array";
  std::set<std::string> seen;
  for (std::size_t i = 0; i < endpoints.size(); ++i) {
    const std::string where = "/endpoints/" + std::to_string(i);
    const json& key = merge_member(endpoints[i], "endpoint");
    if (!key.is_string()) return where + "/endpoint: missing or not a string";
    const json& verdict = merge_member(endpoints[i], "verdict");
    if (!verdict.is_string() || !endpoint_verdict_from_string(verdict.get<std::string>())) {
      return where + "/verdict: not one of open-relay, closed, inconclusive, unreachable";
    }
    if (!seen.insert(key.get<std::string>()).second) {
      return where + ": endpoint " + key.get<std::string>() + " appears twice";
    }
  }
  return std::nullopt;
}

const std::vector<std::string>& verdict_changing_options() {
  static const std::vector<std::string> kOptions = {"targets",
                                                    "lab",
                                                    "ehlo_name",
                                                    "external_from",
                                                    "external_to",
                                                    "mail_domain",
                                                    "tls",
                                                    "tests",
                                                    "confirm_data",
                                                    "greylist_retries",
                                                    "greylist_delay_ms",
                                                    "max_attempts",
                                                    "domain_controls",
                                                    "max_domain_endpoints",
                                                    "dnsbl",
                                                    "pipelining"};
  return kOptions;
}

std::optional<std::string> plan_mismatch(const std::vector<MergeInput>& inputs) {
  if (inputs.empty()) return std::nullopt;
  const auto first = plan_of(inputs.front().document);
  for (std::size_t i = 1; i < inputs.size(); ++i) {
    const auto other = plan_of(inputs[i].document);
    if (other == first) continue;
    std::string why;
    for (const auto& [id, sha] : first) {
      const auto found = other.find(id);
      if (found == other.end()) {
        why = "script " + id + " is only in the first";
      } else if (found->second != sha) {
        why = "script " + id + " has SHA-256 " + sha + " in the first and " + found->second +
              " in the second";
      }
      if (!why.empty()) break;
    }
    if (why.empty()) {
      for (const auto& [id, sha] : other) {
        if (!first.contains(id)) {
          why = "script " + id + " is only in the second";
          break;
        }
      }
    }
    return named(inputs.front()) + " and " + named(inputs[i]) +
           " ran different plans (\"scripts\"): " + terminal_safe(why);
  }
  return std::nullopt;
}

std::optional<std::string> option_mismatch(const std::vector<MergeInput>& inputs) {
  if (inputs.empty()) return std::nullopt;
  const json& first = merge_member(inputs.front().document, "options");
  for (std::size_t i = 1; i < inputs.size(); ++i) {
    const json& other = merge_member(inputs[i].document, "options");
    for (const auto& key : verdict_changing_options()) {
      const json& a = merge_member(first, key.c_str());
      const json& b = merge_member(other, key.c_str());
      if (a == b) continue;
      return named(inputs.front()) + " and " + named(inputs[i]) +
             " were scanned with different verdict-changing options: " + key + " is " +
             terminal_safe(a.dump()) + " in the first and " + terminal_safe(b.dump()) +
             " in the second";
    }
  }
  return std::nullopt;
}

std::optional<std::string> read_shard_part(const MergeInput& input, ShardPart& part) {
  part.input = &input;
  const json& document = input.document;
  const json& run = merge_member(document, "run");
  if (!run.is_object()) {
    return named(input) + ": no \"run\" block: not a document written by relayaudit scan";
  }
  if (run.contains("shards")) {
    return named(input) +
           ": already a merged document (run.shards); merge the shards it came "
           "from instead";
  }
  const json& vantage = merge_member(run, "vantage_name");
  const json& host = merge_member(run, "host");
  part.vantage = vantage.is_string() ? vantage.get<std::string>()
                 : host.is_string()  ? host.get<std::string>()
                                     : "unnamed";
  part.complete = merge_member(document, "complete") != false;
  const json& shard = merge_member(run, "shard");
  if (!shard.is_null()) {
    const json& k = merge_member(shard, "k");
    const json& n = merge_member(shard, "n");
    const json& skipped = merge_member(shard, "skipped");
    // The bound keeps a hostile n from making the missing-shard check count for ever.
    if (!k.is_number_integer() || !n.is_number_integer() || n < 1 || n > kMostMergedShards ||
        k < 1 || k > n || !skipped.is_array()) {
      return named(input) + ": /run/shard: needs integers k and n (1 <= k <= n <= " +
             std::to_string(kMostMergedShards) + ") and a \"skipped\" array";
    }
    part.k = k.get<int>();
    part.n = n.get<int>();
    for (const json& key : skipped) {
      if (!key.is_string()) return named(input) + ": /run/shard/skipped: not all strings";
      part.skipped.push_back(key.get<std::string>());
    }
  }
  for (const json& endpoint : merge_member(document, "endpoints")) {
    part.audited.push_back(merge_member(endpoint, "endpoint").get<std::string>());
  }
  return std::nullopt;
}

std::optional<std::string> coverage_problem(const std::vector<const ShardPart*>& parts) {
  if (parts.empty()) return std::nullopt;
  const ShardPart& first = *parts.front();
  std::map<int, const ShardPart*> by_k;
  for (const ShardPart* part : parts) {
    if (part->n != first.n) {
      return named(*first.input) + " is shard " + shard_text(first) + " but " +
             named(*part->input) + " is shard " + shard_text(*part) +
             ": shards of different counts";
    }
    const auto [at, inserted] = by_k.emplace(part->k, part);
    if (!inserted) {
      std::string message = named(*at->second->input) + " and " + named(*part->input) +
                            " are both shard " + shard_text(*part) + " (of vantage " +
                            terminal_safe(part->vantage) + ")";
      if (part->n == 1) {
        message +=
            ": two audits of the same targets; --by-vantage joins audits made from "
            "different vantages (scan --vantage-name)";
      }
      return message;
    }
  }
  std::string missing;
  for (int k = 1; k <= first.n; ++k) {
    if (!by_k.contains(k)) missing += (missing.empty() ? "" : ", ") + std::to_string(k);
  }
  if (!missing.empty()) {
    std::string have;
    for (const auto& [k, part] : by_k) {
      have += (have.empty() ? "" : ", ") + named(*part->input) + " " + shard_text(*part);
    }
    return "shard(s) " + missing + " of " + std::to_string(first.n) + " missing (vantage " +
           terminal_safe(first.vantage) + "; given: " + have + ")";
  }
  std::map<std::string, const ShardPart*> audited_by;
  for (const ShardPart* part : parts) {
    for (const auto& key : part->audited) {
      const auto shard = shard_of_key(key, part->n);
      if (shard != part->k) {
        return named(*part->input) + " (shard " + shard_text(*part) + ") audited " +
               terminal_safe(key) + ", which " + kShardRule + " gives to shard " +
               (shard ? std::to_string(*shard) : std::string("none")) + " of " +
               std::to_string(part->n);
      }
      audited_by.emplace(key, part);
    }
  }
  for (const ShardPart* part : parts) {
    for (const auto& key : part->skipped) {
      if (audited_by.contains(key)) continue;
      const auto shard = shard_of_key(key, part->n);
      const ShardPart* owner = shard && by_k.contains(*shard) ? by_k.at(*shard) : nullptr;
      // An interrupted shard lacks endpoints honestly: the merged document is incomplete.
      if (owner != nullptr && !owner->complete) continue;
      return named(*part->input) + " skipped " + terminal_safe(key) + " for shard " +
             (shard ? std::to_string(*shard) : std::string("?")) + ", but " +
             (owner != nullptr ? named(*owner->input) : std::string("no document")) +
             " did not audit it: the shards expanded different endpoints";
    }
  }
  return std::nullopt;
}

std::optional<std::string> simulated_client_mismatch(const std::vector<const ShardPart*>& audit) {
  for (std::size_t i = 1; i < audit.size(); ++i) {
    const json& a = merge_member(merge_member(audit.front()->input->document, "run"), "vantage");
    const json& b = merge_member(merge_member(audit[i]->input->document, "run"), "vantage");
    if (a == b) continue;
    return named(*audit.front()->input) + " and " + named(*audit[i]->input) +
           " asked the servers to judge different clients: run.vantage is " +
           terminal_safe(a.dump()) + " in the first and " + terminal_safe(b.dump()) +
           " in the second (merge --by-vantage with different --vantage-name keeps both)";
  }
  return std::nullopt;
}

}  // namespace relayaudit
