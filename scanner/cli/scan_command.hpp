// `relayaudit scan`: audit targets (or the built-in lab) and write the verdicts.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/report_command.hpp"
#include "cli/shard_option.hpp"
#include "scheduler/audit_options.hpp"
#include "tls/tls_context.hpp"

namespace relayaudit {

struct ScanCommandOptions {
  std::vector<std::string> targets;
  std::vector<std::string> target_files;
  std::string output;
  ReportOutputs reports;  // --junit/--sarif/--markdown/--html, rendered from the final results
  std::string jsonl;      // one line per finished endpoint, flushed as it finishes
  std::string resume;     // a --jsonl file of an interrupted run: skip its endpoints, append
  bool resume_if_exists = false;  // a missing --resume file starts a new stream instead
  bool jsonl_overwrite = false;   // empty an existing --jsonl file instead of refusing it
  bool lab = false;
  bool dry_run = false;                  // check every input, print the plan, send nothing
  std::vector<std::string> resolvers;    // DNS servers for mail domains and DNSBLs
  std::vector<std::string> dnsbl_zones;  // check every endpoint address on each
  std::string dns_timeout = "2s";
  Millis dns_timeout_ms{2000};  // parsed --dns-timeout
  int max_domain_endpoints = 1024;
  int default_port = 25;
  int concurrency = 1024;
  std::string connect_timeout = "10s";
  std::string banner_timeout = "60s";
  std::string reply_timeout = "60s";
  std::string tls_detect_after = "5s";  // silence before a port is tried with implicit TLS
  std::string greylist_delay;           // empty: 60s, or 2s with --lab
  std::vector<std::string> tests;
  std::vector<std::string> tests_dirs;
  bool no_pipelining = false;
  std::string tls = "auto";               // --tls auto|never|both
  std::string ca_file;                    // --ca-file: trust for the TLS facts
  std::optional<TlsContext> tls_context;  // made from --ca-file; every session shares it
  std::vector<std::string> tls_probes;    // --tls-probe versions,injection
  std::string xclient;                    // --xclient ADDR: audit as that client (Postfix XCLIENT)
  std::string proxy_protocol;             // --proxy-protocol v1|v2, with --proxy-source ADDR
  std::string proxy_source;
  std::string fail_on = "inconclusive";
  std::string color = "auto";  // --color auto|always|never (auto: a terminal, and no NO_COLOR)
  bool quiet = false;
  bool verbose = false;
  std::string shard;                        // --shard K/N | auto
  int shards = 0;                           // --shards N, for --shard auto (0: not given)
  std::optional<ShardChoice> shard_choice;  // parsed --shard
  std::string vantage_name;                 // --vantage-name (default: the host name)
  AuditOptions audit;
  std::vector<std::string> command_line;  // argv as given, recorded in the results
};

void register_scan_command(CLI::App& app, ScanCommandOptions& options);
int run_scan_command(ScanCommandOptions& options);

}  // namespace relayaudit
