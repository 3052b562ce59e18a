// Parses --shard K/N and reads the job runners' shard variables for --shard auto.
#include "cli/shard_option.hpp"

#include <charconv>
#include <cstdlib>

#include "reports/safe_text.hpp"

namespace relayaudit {
namespace {

// A whole decimal number, nothing around it.
std::optional<long> shard_number(const std::string& text) {
  long value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::string quoted(const std::string& text) {
  return "'" + terminal_safe(text) + "'";
}

constexpr long kMostShards = 100000;

std::variant<ShardChoice, std::string> checked_shard(long k, long n, const std::string& k_name,
                                                     const std::string& n_name, long k_offset) {
  if (n < 1 || n > kMostShards) {
    return n_name + " must be a count of shards from 1 to " + std::to_string(kMostShards);
  }
  if (k + k_offset < 1 || k + k_offset > n) {
    return k_name + " must be from " + std::to_string(1 - k_offset) + " to " +
           std::to_string(n - k_offset) + " for " + std::to_string(n) + " shards";
  }
  return ShardChoice{static_cast<int>(k + k_offset), static_cast<int>(n)};
}

std::variant<ShardChoice, std::string> from_environment(int shards,
                                                        const EnvironmentReader& environment) {
  if (const auto index = environment("JOB_COMPLETION_INDEX")) {
    const auto k = shard_number(*index);
    if (!k) return "JOB_COMPLETION_INDEX=" + quoted(*index) + ": not a number";
    long n = shards;
    std::string n_name = "--shards";
    if (n == 0) {
      const auto total = environment("RELAYAUDIT_SHARDS");
      if (!total) {
        return "--shard auto: JOB_COMPLETION_INDEX is set but the shard count is not: give "
               "--shards N or RELAYAUDIT_SHARDS (the Job's completions)";
      }
      const auto parsed = shard_number(*total);
      if (!parsed) return "RELAYAUDIT_SHARDS=" + quoted(*total) + ": not a number";
      n = *parsed;
      n_name = "RELAYAUDIT_SHARDS=" + quoted(*total);
    }
    // Kubernetes counts completions from 0.
    return checked_shard(*k, n, "JOB_COMPLETION_INDEX=" + quoted(*index), n_name, 1);
  }
  if (const auto index = environment("CI_NODE_INDEX")) {
    const auto k = shard_number(*index);
    if (!k) return "CI_NODE_INDEX=" + quoted(*index) + ": not a number";
    const auto total = environment("CI_NODE_TOTAL");
    if (!total) return "--shard auto: CI_NODE_INDEX is set but CI_NODE_TOTAL is not";
    const auto n = shard_number(*total);
    if (!n) return "CI_NODE_TOTAL=" + quoted(*total) + ": not a number";
    return checked_shard(*k, *n, "CI_NODE_INDEX=" + quoted(*index),
                         "CI_NODE_TOTAL=" + quoted(*total), 0);
  }
  return "--shard auto: none of JOB_COMPLETION_INDEX (Kubernetes Indexed Job) or CI_NODE_INDEX "
         "(GitLab parallel) is set; give --shard K/N";
}

}  // namespace

std::optional<std::string> process_environment(const std::string& name) {
  const char* value = std::getenv(name.c_str());
  if (value == nullptr) return std::nullopt;
  return std::string(value);
}

std::variant<ShardChoice, std::string> parse_shard_option(const std::string& text, int shards,
                                                          const EnvironmentReader& environment) {
  if (text == "auto") return from_environment(shards, environment);
  const auto slash = text.find('/');
  const auto k = slash == std::string::npos ? std::nullopt : shard_number(text.substr(0, slash));
  const auto n = slash == std::string::npos ? std::nullopt : shard_number(text.substr(slash + 1));
  if (!k || !n) return "--shard " + quoted(text) + ": not K/N (e.g. 2/3) or auto";
  if (shards != 0 && shards != *n) {
    return "--shard " + quoted(text) + " and --shards " + std::to_string(shards) +
           " name different counts";
  }
  return checked_shard(*k, *n, "--shard " + quoted(text) + ": K", "--shard " + quoted(text) + ": N",
                       0);
}

}  // namespace relayaudit
