// Writes the bash completion: tables of subcommands, options and value kinds per command path,
// and one function that walks the words typed so far through them.
#include "docgen/bash_completion.hpp"

#include <string>

namespace relayaudit::docgen {

namespace {

std::string bash_quoted(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string value_kind_word(const OptionDoc& option) {
  switch (option.kind) {
    case ValueKind::choices: {
      std::string words = "choices:";
      for (const auto& choice : option.choices) words += choice + " ";
      return words;
    }
    case ValueKind::script_ids:
      return "scripts";
    case ValueKind::file:
      return "files";
    case ValueKind::none:
    case ValueKind::free:
      break;
  }
  return "any";
}

// One line per table entry of every command below `command` (itself included).
void write_tables(std::ostream& out, const CommandDoc& command) {
  const std::string key = command.full_name();  // bash refuses an empty key
  std::string subcommands;
  for (const auto& sub : command.subcommands)
    subcommands += (subcommands.empty() ? "" : " ") + sub.name;
  std::string options;
  for (const auto& option : command.options) {
    for (const auto& name : option.names) options += (options.empty() ? "" : " ") + name;
  }
  out << "  subcommands[" << bash_quoted(key) << "]=" << bash_quoted(subcommands) << "\n";
  out << "  options[" << bash_quoted(key) << "]=" << bash_quoted(options) << "\n";
  for (const auto& option : command.options) {
    if (!option.takes_value()) continue;
    for (const auto& name : option.names) {
      out << "  values[" << bash_quoted(key + "|" + name)
          << "]=" << bash_quoted(value_kind_word(option)) << "\n";
    }
  }
  if (!command.positionals.empty()) {
    out << "  positionals[" << bash_quoted(key)
        << "]=" << bash_quoted(value_kind_word(command.positionals.front())) << "\n";
  }
  for (const auto& sub : command.subcommands) write_tables(out, sub);
}

// The function itself: find the command path, then complete an option value, an option name,
// a subcommand or a positional argument.
constexpr const char* kCompletionFunction = R"BASH(
  local cur=${COMP_WORDS[COMP_CWORD]} prev="" option="" path=relayaudit i word sub
  ((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
  for ((i = 1; i < COMP_CWORD; i++)); do
    word=${COMP_WORDS[i]}
    if [[ -n ${values["$path|$word"]+set} ]]; then
      # The option's value follows, after an "=" word when written --option=value.
      [[ ${COMP_WORDS[i + 1]:-} == "=" ]] && ((i++))
      ((i++))
      continue
    fi
    for sub in ${subcommands["$path"]}; do
      if [[ $word == "$sub" ]]; then
        path="$path $sub"
        break
      fi
    done
  done
  if [[ $cur == "=" ]]; then
    option=$prev
    cur=""
  elif [[ $prev == "=" ]] && ((COMP_CWORD > 1)); then
    option=${COMP_WORDS[COMP_CWORD - 2]}
  elif [[ -n ${values["$path|$prev"]+set} ]]; then
    option=$prev
  fi
  local kind=""
  if [[ -n $option && -n ${values["$path|$option"]+set} ]]; then
    kind=${values["$path|$option"]}
  elif [[ $cur == -* ]]; then
    mapfile -t COMPREPLY < <(compgen -W "${options["$path"]}" -- "$cur")
    return 0
  elif [[ -n ${subcommands["$path"]} ]]; then
    mapfile -t COMPREPLY < <(compgen -W "${subcommands["$path"]}" -- "$cur")
    return 0
  else
    kind=${positionals["$path"]:-any}
  fi
  case $kind in
    choices:*) mapfile -t COMPREPLY < <(compgen -W "${kind#choices:}" -- "$cur") ;;
    scripts)
      # --tests takes a comma-separated list: complete the word after the last comma.
      local done_part=""
      [[ $cur == *,* ]] && done_part=${cur%,*}, && cur=${cur##*,}
      mapfile -t COMPREPLY < <(compgen -P "$done_part" -W "$_relayaudit_script_words" -- "$cur")
      ;;
    files)
      compopt -o filenames 2>/dev/null
      mapfile -t COMPREPLY < <(compgen -f -- "$cur")
      ;;
    *) COMPREPLY=() ;;
  esac
  return 0
}
complete -F _relayaudit relayaudit
)BASH";

}  // namespace

void write_bash_completion(std::ostream& out, const CommandDoc& top, const ScriptNames& scripts) {
  out << "# bash completion for relayaudit(1): subcommands, options and relay-script ids.\n"
      << "# Generated at build time from relayaudit's command line by scanner/docgen; do not "
         "edit.\n\n";
  std::string words;
  for (const auto& script : scripts.scripts) words += (words.empty() ? "" : " ") + script.id;
  for (const auto& tag : scripts.tags) words += " " + tag;
  out << "_relayaudit_script_words=" << bash_quoted(words) << "\n\n";
  out << "_relayaudit() {\n"
      << "  local -A subcommands options values positionals\n";
  write_tables(out, top);
  out << kCompletionFunction;
}

}  // namespace relayaudit::docgen
