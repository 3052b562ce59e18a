// Writes relayaudit(1): synopsis, every command with its options, exit status, relay scripts.
#include "docgen/man_page.hpp"

namespace relayaudit::docgen {

namespace {

// Text made safe for roff: backslashes and minus signs escaped, no line starting a request.
std::string roff_text(const std::string& text) {
  std::string out;
  bool line_start = true;
  for (char c : text) {
    if (line_start && (c == '.' || c == '\'')) out += "\\&";
    line_start = c == '\n';
    if (c == '\\') {
      out += "\\e";
    } else if (c == '-') {
      out += "\\-";
    } else {
      out += c;
    }
  }
  return out;
}

// CLI11 footers break lines for an 80-column terminal; roff fills paragraphs itself.
std::string joined_lines(const std::string& text) {
  std::string out;
  for (char c : text) out += c == '\n' ? ' ' : c;
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

std::string comma_joined(const std::vector<std::string>& words) {
  std::string text;
  for (const auto& word : words) text += (text.empty() ? "" : ", ") + word;
  return text;
}

std::string bold(const std::string& text) {
  return "\\fB" + roff_text(text) + "\\fR";
}
std::string italic(const std::string& text) {
  return "\\fI" + roff_text(text) + "\\fR";
}

std::string positional_synopsis(const OptionDoc& positional) {
  std::string text = italic(positional.names.front());
  if (positional.repeatable) text += "\\ .\\|.\\|.";
  return positional.required ? text : "[" + text + "]";
}

std::string command_synopsis(const CommandDoc& command) {
  std::string line = bold(command.full_name());
  if (!command.options.empty()) line += " [" + italic("options") + "]";
  if (!command.subcommands.empty()) line += " " + italic("command");
  for (const auto& positional : command.positionals) line += " " + positional_synopsis(positional);
  return line;
}

// One .TP entry: the option's names and value, then what it does and its default.
void write_option(std::ostream& out, const OptionDoc& option) {
  out << ".TP\n";
  std::string names;
  for (const auto& name : option.names) {
    if (!names.empty()) names += ", ";
    names += option.positional ? italic(name) : bold(name);
  }
  if (!option.positional && option.takes_value()) names += " " + italic(option.value_name);
  if (option.repeatable && !option.positional) names += " (repeatable)";
  out << names << "\n";
  std::string text = option.description;
  if (!option.default_value.empty()) text += " (default: " + option.default_value + ")";
  if (option.required) text += " (required)";
  out << roff_text(text) << "\n";
}

// `inherited_footer`: the parent's, which CLI11 copies into every subcommand; printed once.
void write_command(std::ostream& out, const CommandDoc& command,
                   const std::string& inherited_footer) {
  out << ".SS \"" << roff_text(command.full_name()) << "\"\n";
  out << command_synopsis(command) << "\n.PP\n" << roff_text(command.description) << "\n";
  for (const auto& positional : command.positionals) write_option(out, positional);
  for (const auto& option : command.options) write_option(out, option);
  if (!command.footer.empty() && command.footer != inherited_footer) {
    out << ".PP\n" << roff_text(joined_lines(command.footer)) << "\n";
  }
  for (const auto& sub : command.subcommands) write_command(out, sub, command.footer);
}

}  // namespace

void write_man_page(std::ostream& out, const CommandDoc& top, const ScriptNames& scripts,
                    const std::string& version) {
  out << ".\\\" relayaudit(1), generated at build time from relayaudit's command line by\n"
      << ".\\\" scanner/docgen: edit the CLI11 option definitions, not this file.\n";
  out << ".TH RELAYAUDIT 1 \"\" \"relayaudit " << roff_text(version) << "\" \"User Commands\"\n";
  out << ".SH NAME\nrelayaudit \\- audit SMTP gateways for open relaying\n";
  out << ".SH SYNOPSIS\n" << command_synopsis(top) << "\n";
  for (const auto& command : top.subcommands) out << ".br\n" << command_synopsis(command) << "\n";
  out << ".SH DESCRIPTION\n"
      << roff_text(top.description) << "\n.PP\n"
      << "Each command below lists its arguments and options; " << bold("relayaudit") << " "
      << italic("command") << " " << bold("--help") << " prints the same text.\n";
  out << ".SH OPTIONS\n";
  for (const auto& option : top.options) write_option(out, option);
  out << ".SH COMMANDS\n";
  for (const auto& command : top.subcommands) write_command(out, command, top.footer);
  out << ".SH EXIT STATUS\n" << roff_text(joined_lines(top.footer)) << "\n";
  out << ".SH RELAY SCRIPTS\nThe built-in scripts " << bold("--tests") << " selects by id or tag"
      << " (tags: " << roff_text(comma_joined(scripts.tags)) << "):\n";
  for (const auto& script : scripts.scripts) {
    out << ".TP\n" << bold(script.id) << "\n" << roff_text(script.title) << "\n";
  }
  out << ".SH FILES\n.TP\n"
      << italic("/usr/share/doc/relayaudit/examples") << "\n"
      << "A targets file, a TOML configuration, a user relay script and CI jobs to copy.\n";
  out << ".SH SEE ALSO\n" << bold("swaks") << "(1), " << bold("postconf") << "(5)\n";
}

}  // namespace relayaudit::docgen
