// Who ran a scan, from where, how, and with which script definitions: the "run" block of the
// results document, so an auditor can tell which run produced a report.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace relayaudit {

struct ScriptProvenance {
  std::string id;
  std::string source;  // "builtin:core/x.json" or the path of the user's file
  std::string sha256;  // of the definition's bytes as loaded
};

// `scan --shard K/N`: which part of the fleet this run audited.
struct ShardRecord {
  int k = 1;
  int n = 1;
  std::vector<std::string> skipped;  // endpoint keys of the other shards, in target order
};

struct RunProvenance {
  std::optional<std::string> user;  // the effective user's login name, when it has one
  long long uid = -1;               // the effective user id
  std::optional<std::string> host;  // this machine's host name
  std::optional<std::string> working_directory;
  std::vector<std::string> command_line;  // argv as given, argv[0] included
  std::vector<ScriptProvenance> scripts;  // every script in the plan, by id
  // Whose view the servers judged: "direct" (ours), "xclient", "proxy-v1", "proxy-v2", and
  // the client address asked for (none when direct).
  std::string vantage_mode = "direct";
  std::optional<std::string> vantage_client;
  std::optional<std::string> vantage_name;  // where the scan ran from (--vantage-name, host name)
  std::optional<ShardRecord> shard;         // scan --shard
  nlohmann::json shards;  // `merge`: one entry per merged document; null for a scan
};

// The "run" object (reports/results.schema.json, $defs/run); every string is made valid UTF-8.
// The scripts' sources and hashes are in the document's "scripts" (reports/script_catalog.hpp).
nlohmann::json run_provenance_json(const RunProvenance& run);

}  // namespace relayaudit
