// Writes _relayaudit: one _arguments function per command path, subcommands through ->states.
#include "docgen/zsh_completion.hpp"

#include <string>

namespace relayaudit::docgen {

namespace {

// Inside a single-quoted _arguments spec: no quote, no brackets, and the first sentence only.
std::string zsh_description(const std::string& text) {
  std::string out;
  for (char c : text.substr(0, text.find(". "))) {
    if (c == '\'') {
      out += "'\\''";
    } else if (c == '[' || c == ']') {
      out += c == '[' ? '(' : ')';
    } else if (c == '\n') {
      out += ' ';
    } else {
      out += c;
    }
  }
  while (!out.empty() && out.back() == '.') out.pop_back();
  return out;
}

std::string function_name(const CommandDoc& command) {
  std::string name = "_relayaudit";
  for (const auto& word : command.path) {
    name += "_";
    for (char c : word) name += c == '-' ? '_' : c;
  }
  return name;
}

// What to complete after the option: `:message:action`.
std::string value_action(const OptionDoc& option) {
  std::string message = option.names.back();
  while (!message.empty() && message.front() == '-') message.erase(0, 1);
  switch (option.kind) {
    case ValueKind::choices: {
      std::string words;
      for (const auto& choice : option.choices) words += (words.empty() ? "" : " ") + choice;
      return ":" + message + ":(" + words + ")";
    }
    case ValueKind::script_ids:
      return ":" + message + ":_sequence compadd -a _relayaudit_script_words";
    case ValueKind::file:
      return ":" + message + ":_files";
    case ValueKind::free:
      return ":" + message + ": ";
    case ValueKind::none:
      break;
  }
  return "";
}

// One _arguments spec: '(-p --port)'{-p+,--port=}'[Port ...]:port: '.
std::string option_spec(const OptionDoc& option) {
  std::string names;
  std::string exclusions;
  for (const auto& name : option.names) {
    const bool is_long = name.rfind("--", 0) == 0;
    std::string spelled = name;
    if (option.takes_value()) spelled += is_long ? "=" : "+";
    names += (names.empty() ? "" : ",") + spelled;
    exclusions += (exclusions.empty() ? "" : " ") + name;
  }
  std::string prefix = option.repeatable ? "'*'" : "'(" + exclusions + ")'";
  if (option.names.size() > 1) names = "{" + names + "}";
  return prefix + names + "'[" + zsh_description(option.description) + "]" + value_action(option) +
         "'";
}

std::string positional_spec(const OptionDoc& positional, std::size_t index) {
  const std::string position = positional.repeatable ? "*" : std::to_string(index);
  std::string action = value_action(positional);
  if (positional.kind == ValueKind::file && positional.names.front() == "targets") {
    action = ":targets:_hosts";  // scan targets are host names and addresses, not files
  }
  return "'" + position + action + "'";
}

void write_function(std::ostream& out, const CommandDoc& command) {
  for (const auto& sub : command.subcommands) write_function(out, sub);
  out << function_name(command) << "() {\n";
  if (!command.subcommands.empty()) out << "  local curcontext=\"$curcontext\" state line\n";
  out << "  _arguments -s -S" << (command.subcommands.empty() ? "" : " -C");
  for (const auto& option : command.options) out << " \\\n    " << option_spec(option);
  std::size_t index = 1;
  for (const auto& positional : command.positionals) {
    out << " \\\n    " << positional_spec(positional, index++);
  }
  if (command.subcommands.empty()) {
    out << "\n}\n\n";
    return;
  }
  out << " \\\n    '1:command:->command' \\\n    '*::argument:->argument'\n";
  out << "  case $state in\n    command)\n      local -a commands=(";
  for (const auto& sub : command.subcommands) {
    out << "\n        '" << sub.name << ":" << zsh_description(sub.description) << "'";
  }
  out << "\n      )\n      _describe -t commands '" << command.full_name()
      << " command' commands ;;\n    argument)\n      case $line[1] in\n";
  for (const auto& sub : command.subcommands) {
    out << "        " << sub.name << ") " << function_name(sub) << " ;;\n";
  }
  out << "      esac ;;\n  esac\n}\n\n";
}

}  // namespace

void write_zsh_completion(std::ostream& out, const CommandDoc& top, const ScriptNames& scripts) {
  out << "#compdef relayaudit\n"
      << "# zsh completion for relayaudit(1): subcommands, options and relay-script ids.\n"
      << "# Generated at build time from relayaudit's command line by scanner/docgen; do not "
         "edit.\n\n";
  out << "_relayaudit_script_words=(";
  for (const auto& script : scripts.scripts) out << "\n  " << script.id;
  for (const auto& tag : scripts.tags) out << "\n  " << tag;
  out << "\n)\n\n";
  write_function(out, top);
  out << "_relayaudit \"$@\"\n";
}

}  // namespace relayaudit::docgen
