// `relayaudit merge shard-*.json -o results.json`: join the documents of a sharded audit, or of
// audits from several vantages (--by-vantage), into one results document.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/report_command.hpp"

namespace relayaudit {

struct MergeCommandOptions {
  std::vector<std::string> files;
  std::string output;
  ReportOutputs reports;  // --junit/--sarif/--markdown/--html of the merged document
  bool by_vantage = false;
  std::string fail_on = "inconclusive";
  bool quiet = false;
  std::vector<std::string> command_line;  // argv, recorded in the merged run block
};

void register_merge_command(CLI::App& app, MergeCommandOptions& options);

// Exit codes as for scan, from the merged document: 0 every endpoint closed, 1 open relay, 3
// unproven (--fail-on open-relay: 0 instead); 2 an unreadable document or documents that are not
// one audit (different plans or verdict options, overlapping, missing or mixed shard numbers),
// each message naming the files; 4 an output could not be written.
int run_merge_command(MergeCommandOptions& options);

}  // namespace relayaudit
