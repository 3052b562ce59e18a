// The whole relayaudit command line in one place: what main parses and what the man page and
// shell completion are generated from, so the three cannot drift apart.
#pragma once

#include <CLI/CLI.hpp>

#include "cli/diff_command.hpp"
#include "cli/dnsbl_command.hpp"
#include "cli/lab_command.hpp"
#include "cli/merge_command.hpp"
#include "cli/mx_command.hpp"
#include "cli/report_command.hpp"
#include "cli/scan_command.hpp"
#include "cli/tests_command.hpp"

namespace relayaudit {

// Every subcommand's options, filled by CLI11 when the command line is parsed.
struct AllCommandOptions {
  ScanCommandOptions scan;
  LabCommandOptions lab;
  ReportCommandOptions report;
  DiffCommandOptions diff;
  MxCommandOptions mx;
  DnsblCommandOptions dnsbl;
  TestsCommandOptions tests;
  MergeCommandOptions merge;
  CLI::App* tests_app = nullptr;  // `tests` dispatches on its own subcommands
};

// The application's description, its top-level options (--config, --version) and footer, and
// every subcommand; `options` must outlive `app`.
void build_command_line(CLI::App& app, AllCommandOptions& options);

}  // namespace relayaudit
