// relayaudit entry point: subcommand dispatch and exit codes.
#include <csignal>
#include <iostream>

#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include "cli/config_keys.hpp"
#include "cli/config_precheck.hpp"
#include "cli/diff_command.hpp"
#include "cli/dnsbl_command.hpp"
#include "cli/exit_codes.hpp"
#include "cli/lab_command.hpp"
#include "cli/merge_command.hpp"
#include "cli/mx_command.hpp"
#include "cli/report_command.hpp"
#include "cli/scan_command.hpp"
#include "cli/tests_command.hpp"
#include "reports/safe_text.hpp"
#include "reports/version.hpp"

namespace {

// Every named option of `app` and its subcommands takes exactly one value per use.
void one_value_per_option(CLI::App& app) {
  for (CLI::Option* option : app.get_options()) {
    if (!option->get_positional() && option->get_expected_max() > 1) {
      option->allow_extra_args(false);
    }
  }
  for (CLI::App* sub : app.get_subcommands({})) one_value_per_option(*sub);
}

using namespace relayaudit;

// CLI11 echoes option values in its messages: escape them so no input can drive the terminal.
std::string terminal_safe_failure(const CLI::App* app, const CLI::Error& error) {
  std::string message = terminal_safe(error.what()) + "\n";
  if (app->get_help_ptr() != nullptr) {
    message += "Run with " + app->get_help_ptr()->get_name() + " for more information.\n";
  }
  return message;
}

int run(int argc, char** argv) {
  // Before CLI11 reads the file: its TOML reader has no bound of its own.
  for (const auto& file : config_files_in(argc, argv)) {
    if (auto problem = config_file_problem(file)) {
      std::cerr << "relayaudit: --config " << *problem << "\n";
      return kExitUsage;
    }
  }
  CLI::App app{"relayaudit: audit SMTP gateways for open relaying (never sends a message)"};
  app.set_version_flag("--version", std::string("relayaudit ") + kToolVersion);
  app.require_subcommand(1);
  app.failure_message(terminal_safe_failure);
  // Options can come from a file: a [scan] section with the long option names. The command line
  // wins over the file; a key the scanner does not know is an error, not silently ignored.
  app.set_config("--config", "",
                 "Read options from a TOML file: [scan] with long option names "
                 "(port = 2525, dnsbl = [\"zen.example\"]); the command line wins. A regular "
                 "file of at most 1 MiB, nested at most 32 levels");
  app.allow_config_extras(CLI::config_extras_mode::error);
  app.footer(
      "Exit codes: 0 every endpoint closed, 1 open relay found, 2 usage or input error,\n"
      "3 no open relay but an endpoint inconclusive or unreachable or a target unresolved\n"
      "(scan --fail-on open-relay: 0 instead), 4 runtime error,\n"
      "130/143 scan stopped by SIGINT/SIGTERM before finding an open relay.");

  ScanCommandOptions scan;
  register_scan_command(app, scan);
  LabCommandOptions lab;
  register_lab_command(app, lab);
  ReportCommandOptions report;
  register_report_command(app, report);
  DiffCommandOptions diff;
  register_diff_command(app, diff);
  MergeCommandOptions merge;
  register_merge_command(app, merge);
  MxCommandOptions mx;
  register_mx_command(app, mx);
  DnsblCommandOptions dnsbl;
  register_dnsbl_command(app, dnsbl);
  TestsCommandOptions tests;
  CLI::App* tests_app = register_tests_command(app, tests);

  // One value per use of an option (repeatable, comma lists where allowed): a list option must
  // never swallow the targets after it.
  one_value_per_option(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    const auto* config = app.get_config_ptr();
    if (config != nullptr && config->count() > 0 &&
        (dynamic_cast<const CLI::ConfigError*>(&error) != nullptr ||
         dynamic_cast<const CLI::ConversionError*>(&error) != nullptr ||
         dynamic_cast<const CLI::ValidationError*>(&error) != nullptr)) {
      const std::string file = config->as<std::string>();
      // CLI11 says "INI was not able to parse scan.prot": name the line and the key meant.
      if (dynamic_cast<const CLI::ConfigError*>(&error) != nullptr) {
        if (auto problem = unknown_config_key_in_file(app, file)) {
          std::cerr << "relayaudit: --config " << *problem << "\n";
          return kExitUsage;
        }
      }
      // CLI11 names the key but not the file it came from.
      std::cerr << "relayaudit: --config " << terminal_safe(file) << ": "
                << terminal_safe(error.what()) << "\n";
      return kExitUsage;
    }
    const int code = app.exit(error);
    return code == 0 ? kExitClean : kExitUsage;
  }
  spdlog::set_pattern("%v");
  if (app.got_subcommand("scan")) {
    scan.command_line.assign(argv, argv + argc);
    return run_scan_command(scan);
  }
  if (app.got_subcommand("lab")) return run_lab_command(lab);
  if (app.got_subcommand("tests")) return run_tests_command(*tests_app, tests);
  if (app.got_subcommand("report")) return run_report_command(report);
  if (app.got_subcommand("diff")) return run_diff_command(diff);
  if (app.got_subcommand("merge")) {
    merge.command_line.assign(argv, argv + argc);
    return run_merge_command(merge);
  }
  if (app.got_subcommand("mx")) return run_mx_command(mx);
  if (app.got_subcommand("dnsbl")) return run_dnsbl_command(dnsbl);
  return kExitUsage;
}

}  // namespace

int main(int argc, char** argv) {
  // libuv writes with write(2): a server that closes mid-write must give EPIPE, not kill us.
  std::signal(SIGPIPE, SIG_IGN);
  // The last resort: every input path reports its own errors (exit 2); reaching here is a bug,
  // but it must still end with a message and the runtime-error code, not an abort.
  try {
    return run(argc, argv);
  } catch (const std::exception& error) {
    std::cerr << "relayaudit: internal error: " << terminal_safe(error.what()) << "\n";
  } catch (...) {
    std::cerr << "relayaudit: internal error: unknown exception\n";
  }
  return kExitRuntime;
}
