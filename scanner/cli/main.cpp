// relayaudit entry point: parses the command line (cli/command_line.hpp) and dispatches.
#include <csignal>
#include <iostream>

#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include "cli/command_line.hpp"
#include "cli/config_keys.hpp"
#include "cli/config_precheck.hpp"
#include "cli/exit_codes.hpp"
#include "reports/safe_text.hpp"

namespace {

using namespace relayaudit;

int run(int argc, char** argv) {
  // Before CLI11 reads the file: its TOML reader has no bound of its own.
  for (const auto& file : config_files_in(argc, argv)) {
    if (auto problem = config_file_problem(file)) {
      std::cerr << "relayaudit: --config " << *problem << "\n";
      return kExitUsage;
    }
  }
  CLI::App app;
  AllCommandOptions options;
  build_command_line(app, options);

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
    options.scan.command_line.assign(argv, argv + argc);
    return run_scan_command(options.scan);
  }
  if (app.got_subcommand("lab")) return run_lab_command(options.lab);
  if (app.got_subcommand("tests")) return run_tests_command(*options.tests_app, options.tests);
  if (app.got_subcommand("report")) return run_report_command(options.report);
  if (app.got_subcommand("diff")) return run_diff_command(options.diff);
  if (app.got_subcommand("mx")) return run_mx_command(options.mx);
  if (app.got_subcommand("dnsbl")) return run_dnsbl_command(options.dnsbl);
  if (app.got_subcommand("merge")) {
    options.merge.command_line.assign(argv, argv + argc);
    return run_merge_command(options.merge);
  }
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
