// The relayaudit command line: top-level options, exit codes and every subcommand.
#include "cli/command_line.hpp"

#include "cli/version_text.hpp"
#include "reports/safe_text.hpp"

namespace relayaudit {

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

// CLI11 echoes option values in its messages: escape them so no input can drive the terminal.
std::string terminal_safe_failure(const CLI::App* app, const CLI::Error& error) {
  std::string message = terminal_safe(error.what()) + "\n";
  if (app->get_help_ptr() != nullptr) {
    message += "Run with " + app->get_help_ptr()->get_name() + " for more information.\n";
  }
  return message;
}

}  // namespace

void build_command_line(CLI::App& app, AllCommandOptions& options) {
  app.name("relayaudit");
  app.description("relayaudit: audit SMTP gateways for open relaying (never sends a message)");
  app.set_version_flag("--version", version_text(),
                       "Print the version, the git commit built from, and the OpenSSL, libuv "
                       "and ldns versions in use, then exit");
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

  register_scan_command(app, options.scan);
  register_lab_command(app, options.lab);
  register_report_command(app, options.report);
  register_diff_command(app, options.diff);
  register_mx_command(app, options.mx);
  register_dnsbl_command(app, options.dnsbl);
  register_merge_command(app, options.merge);
  options.tests_app = register_tests_command(app, options.tests);

  // One value per use of an option (repeatable, comma lists where allowed): a list option must
  // never swallow the targets after it.
  one_value_per_option(app);
}

}  // namespace relayaudit
