// `scan --shard K/N | auto` and `--shards N`: which part of the fleet this run audits.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <variant>

namespace relayaudit {

struct ShardChoice {
  int k = 1;  // 1..n
  int n = 1;
};

// Reads an environment variable; nullopt when unset.
using EnvironmentReader = std::function<std::optional<std::string>(const std::string& name)>;

// The process environment.
std::optional<std::string> process_environment(const std::string& name);

// "K/N" (1 <= K <= N), or "auto": Kubernetes Indexed Jobs (JOB_COMPLETION_INDEX, 0-based, with
// N from `shards` or RELAYAUDIT_SHARDS), else GitLab parallel (CI_NODE_INDEX / CI_NODE_TOTAL,
// 1-based). `shards` is --shards (0: not given). The error names the option or the variable and
// what is wrong with its value.
std::variant<ShardChoice, std::string> parse_shard_option(const std::string& text, int shards,
                                                          const EnvironmentReader& environment);

}  // namespace relayaudit
