// `relayaudit tests list|show|validate`: browse the relay-script library, check user scripts.
#include "cli/tests_command.hpp"

#include <filesystem>
#include <iomanip>
#include <iostream>

#include "cli/error_list.hpp"
#include "cli/exit_codes.hpp"
#include "cli/script_plan.hpp"
#include "relaytests/script_library.hpp"
#include "reports/safe_text.hpp"

namespace relayaudit {

CLI::App* register_tests_command(CLI::App& app, TestsCommandOptions& options) {
  CLI::App* tests = app.add_subcommand("tests", "List or show the relay-attempt scripts");
  tests->require_subcommand(1);
  tests->add_option("--tests-dir", options.tests_dirs, "Directory of extra JSON relay scripts");
  tests->add_subcommand("list", "One line per script: id, kind, severity, title");
  CLI::App* show = tests->add_subcommand("show", "One script in full");
  show->add_option("id", options.show_id, "Script id")->required();
  CLI::App* validate =
      tests->add_subcommand("validate", "Check user scripts; name every error in every file");
  validate
      ->add_option("path", options.validate_path, "A directory of *.json scripts, or one script")
      ->required();
  return tests;
}

namespace {

int validate_scripts(const std::string& path) {
  std::error_code ignored;
  // A directory is read as --tests-dir reads it; anything else is one script file.
  ScriptSet loaded =
      std::filesystem::is_directory(path, ignored) ? load_script_dir(path) : load_script_file(path);
  const std::size_t count = loaded.scripts.size();
  // Merging with the library catches an id that clashes with a built-in or another file.
  ScriptSet merged = merge_scripts(builtin_scripts(), std::move(loaded));
  std::vector<std::string> messages;
  for (const auto& error : merged.errors) messages.push_back(error.to_string());
  if (!merged.errors.empty()) {
    print_error_list(std::cerr, messages);
    std::cerr << "relayaudit: " << merged.errors.size() << " error(s) in " << terminal_safe(path)
              << "\n";
    return kExitUsage;
  }
  std::cout << terminal_safe(path) << ": " << count << " script(s) valid\n";
  return kExitClean;
}

}  // namespace

int run_tests_command(const CLI::App& tests_app, const TestsCommandOptions& options) {
  if (tests_app.got_subcommand("validate")) return validate_scripts(options.validate_path);
  auto plan = load_script_plan(options.tests_dirs, {});
  if (auto* errors = std::get_if<std::vector<std::string>>(&plan)) {
    print_error_list(std::cerr, *errors);
    return kExitUsage;
  }
  const auto& scripts = std::get<std::vector<RelayScript>>(plan);
  // User scripts are input: every field passes through terminal_safe before it is printed.
  const auto safe = [](const std::string& text) { return terminal_safe(text); };
  if (tests_app.got_subcommand("list")) {
    for (const auto& script : scripts) {
      // The space after the id keeps an id of 36 or more bytes apart from its kind.
      std::cout << std::left << std::setw(36) << safe(script.id) + " " << std::setw(9)
                << to_string(script.kind) << std::setw(10) << safe(script.severity)
                << safe(script.title) << "\n";
    }
    return kExitClean;
  }
  for (const auto& script : scripts) {
    if (script.id != options.show_id) continue;
    std::cout << safe(script.id) << ": " << safe(script.title) << "\n"
              << "kind: " << to_string(script.kind) << ", trick: " << to_string(script.trick)
              << ", expects " << to_string(script.expect) << " at RCPT TO, severity "
              << safe(script.severity) << "\n\n"
              << safe(script.description) << "\n\n";
    if (!script.catches.empty()) std::cout << "Catches: " << safe(script.catches) << "\n";
    for (const auto& setting : script.opened_by)
      std::cout << "Opened by: " << safe(setting) << "\n";
    std::cout << "Sends:\n";
    if (!script.ehlo.empty()) std::cout << "  EHLO " << safe(script.ehlo) << "\n";
    std::cout << "  MAIL FROM:<" << safe(script.mail_from) << ">\n";
    for (const auto& rcpt : script.rcpt_to) std::cout << "  RCPT TO:<" << safe(rcpt) << ">\n";
    for (const auto& reference : script.references) {
      std::cout << "Reference: " << safe(reference) << "\n";
    }
    if (!script.ports.empty()) {
      std::cout << "Only on ports:";
      for (int port : script.ports) std::cout << " " << port;
      std::cout << "\n";
    }
    std::cout << "Tags: ";
    for (const auto& tag : script.tags) std::cout << safe(tag) << " ";
    std::cout << "\nSource: " << safe(script.source) << "\n";
    return kExitClean;
  }
  std::cerr << "relayaudit: no script with id '" << terminal_safe(options.show_id)
            << "' (see 'relayaudit tests list')\n";
  return kExitUsage;
}

}  // namespace relayaudit
