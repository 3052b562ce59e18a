// The generated shell completions: bash's function, driven from a real bash with COMP_WORDS and
// COMP_CWORD, offers every subcommand and option --help shows and the built-in script ids; the
// zsh function parses and names every option too.
#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>
#include <string>
#include <vector>

#include "help_outline.hpp"
#include "support/process.hpp"
#include "support/relayaudit_binary.hpp"
#include "support/temp_dir.hpp"

namespace relayaudit {
namespace {

using testing::kBinary;
using testing::run_command;

const std::string kBashCompletion = std::string(RELAYAUDIT_DOCS_DIR) + "/relayaudit.bash";
const std::string kZshCompletion = std::string(RELAYAUDIT_DOCS_DIR) + "/_relayaudit";

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) lines.push_back(line);
  }
  std::sort(lines.begin(), lines.end());
  return lines;
}

// What bash offers when the cursor ends `words` (the last word is the one being completed).
std::vector<std::string> bash_completes(const std::vector<std::string>& words) {
  std::vector<std::string> argv{
      "bash",
      "--norc",
      "-c",
      "source \"$1\" || exit 9; shift; COMP_WORDS=(\"$@\"); COMP_CWORD=$(($# - 1)); "
      "COMP_LINE=\"$*\"; COMP_POINT=${#COMP_LINE}; _relayaudit; "
      "printf '%s\\n' \"${COMPREPLY[@]}\"",
      "bash",
      kBashCompletion};
  argv.insert(argv.end(), words.begin(), words.end());
  const auto result = run_command(argv);
  EXPECT_TRUE(result.succeeded()) << result.describe();
  EXPECT_EQ(result.err, "") << "the completion function wrote to stderr";
  return split_lines(result.out);
}

std::vector<std::string> builtin_script_ids(const std::string& prefix) {
  const auto listed = run_command({kBinary, "tests", "list"});
  EXPECT_TRUE(listed.succeeded()) << listed.describe();
  std::vector<std::string> ids;
  for (const auto& line : split_lines(listed.out)) {
    const std::string id = line.substr(0, line.find(' '));
    if (id.rfind(prefix, 0) == 0) ids.push_back(id);
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

bool contains(const std::vector<std::string>& words, const std::string& word) {
  return std::find(words.begin(), words.end(), word) != words.end();
}

TEST(BashCompletion, CompletesASubcommandFromItsPrefix) {
  EXPECT_EQ(bash_completes({"relayaudit", "sc"}), std::vector<std::string>{"scan"});
  EXPECT_EQ(bash_completes({"relayaudit", "tests", "v"}), std::vector<std::string>{"validate"});
}

TEST(BashCompletion, CompletesScriptIdsForTests) {
  const auto relay_ids = builtin_script_ids("relay-");
  ASSERT_GE(relay_ids.size(), 5u);
  EXPECT_EQ(bash_completes({"relayaudit", "scan", "--tests", "relay-"}), relay_ids);
  // --tests=relay-: bash splits the "=" into a word of its own.
  EXPECT_EQ(bash_completes({"relayaudit", "scan", "--tests", "=", "relay-"}), relay_ids);
  // A comma list completes its last item and keeps the ones before.
  const auto after_comma =
      bash_completes({"relayaudit", "scan", "--tests", "control-postmaster,relay-"});
  ASSERT_EQ(after_comma.size(), relay_ids.size());
  EXPECT_EQ(after_comma.front(), "control-postmaster," + relay_ids.front());
  EXPECT_EQ(bash_completes({"relayaudit", "tests", "show", "relay-"}), relay_ids);
}

TEST(BashCompletion, CompletesChoicesAndSkipsOptionValuesWhenFindingTheSubcommand) {
  EXPECT_EQ(bash_completes({"relayaudit", "scan", "--tls", ""}),
            (std::vector<std::string>{"auto", "both", "never"}));
  // "scan" after --config is that option's file, not the subcommand.
  const auto after_config = bash_completes({"relayaudit", "--config", "scan", "--t"});
  EXPECT_FALSE(contains(after_config, "--tls")) << "--config's value was read as a subcommand";
}

TEST(BashCompletion, OffersEveryOptionAndSubcommandEveryHelpShows) {
  std::size_t checked = 0;
  for (const auto& outline : testing::every_help_outline(kBinary)) {
    std::vector<std::string> words{"relayaudit"};
    words.insert(words.end(), outline.path.begin(), outline.path.end());
    words.push_back("-");
    const auto offered = bash_completes(words);
    for (const auto& option : outline.options) {
      EXPECT_TRUE(contains(offered, option))
          << command_name(outline) << " " << option << " is in --help but bash does not offer it";
      ++checked;
    }
    if (outline.subcommands.empty()) continue;
    words.back() = "";
    std::vector<std::string> subcommands = outline.subcommands;
    std::sort(subcommands.begin(), subcommands.end());
    EXPECT_EQ(bash_completes(words), subcommands) << command_name(outline);
  }
  EXPECT_GE(checked, 60u);
}

// The zsh function of one command path: "_relayaudit_tests_show() {" up to its closing brace.
std::string zsh_function(const std::string& script, const testing::HelpOutline& outline) {
  std::string name = "_relayaudit";
  for (auto word : outline.path) {
    std::replace(word.begin(), word.end(), '-', '_');
    name += "_" + word;
  }
  const auto start = script.find("\n" + name + "() {\n");
  if (start == std::string::npos) return "";
  return script.substr(start, script.find("\n}\n", start) - start);
}

// An option name as a word of an _arguments spec ("--port=", "{-p+,", "'--lab[").
bool names_option(const std::string& spec, const std::string& option) {
  for (auto at = spec.find(option); at != std::string::npos; at = spec.find(option, at + 1)) {
    const char before = at == 0 ? ' ' : spec[at - 1];
    const char after = at + option.size() < spec.size() ? spec[at + option.size()] : ' ';
    if (std::string("{,'( ").find(before) != std::string::npos &&
        std::string("=+[,}' )").find(after) != std::string::npos) {
      return true;
    }
  }
  return false;
}

TEST(ZshCompletion, ParsesAndNamesEveryOptionEveryHelpShows) {
  ASSERT_TRUE(run_command({"zsh", "--version"}).succeeded())
      << "zsh is missing: .ci/install-deps test installs it";
  const auto syntax = run_command({"zsh", "-n", kZshCompletion});
  EXPECT_TRUE(syntax.succeeded()) << syntax.describe();
  const std::string script = testing::read_file(kZshCompletion);
  ASSERT_EQ(script.rfind("#compdef relayaudit\n", 0), 0u);
  for (const auto& outline : testing::every_help_outline(kBinary)) {
    const std::string function = zsh_function(script, outline);
    ASSERT_FALSE(function.empty()) << "no zsh function for " << command_name(outline);
    for (const auto& option : outline.options) {
      EXPECT_TRUE(names_option(function, option)) << command_name(outline) << " " << option;
    }
    for (const auto& sub : outline.subcommands) {
      EXPECT_NE(function.find("'" + sub + ":"), std::string::npos)
          << command_name(outline) << " " << sub;
    }
  }
  for (const auto& id : builtin_script_ids("")) {
    EXPECT_NE(script.find("\n  " + id + "\n"), std::string::npos) << id;
  }
}

// What zsh's completion system offers for `line` and a TAB, typed into an interactive zsh on a
// pseudo-terminal (zsh/zpty) with _relayaudit in fpath; compadd is wrapped to record every match.
constexpr const char* kZshTypeAndTab = R"ZSH(
zmodload zsh/zpty
zpty shell 'zsh -f -i'
zpty -w shell "fpath=($2 \$fpath); autoload -Uz compinit && compinit -u -D"
zpty -w shell "compadd() { local -a hits; builtin compadd -O hits \"\$@\"; print -rl -- \${^hits} >>$3; builtin compadd \"\$@\"; }"
# zsh may discard what was typed before its line editor started: try again until a match shows.
for attempt in {1..10}; do
  zpty -w -n shell "$1"$'\t'
  # ^U clears the line; the shell reads the next command only once the completion has finished.
  zpty -w -n shell $'\x15'
  zpty -w shell "print done >$3.done$attempt"
  for i in {1..300}; do [[ -e $3.done$attempt ]] && break; sleep 0.1; done
  [[ -s $3 ]] && break
done
zpty -d shell
)ZSH";

std::vector<std::string> zsh_completes(const std::string& line) {
  testing::TempDir dir;
  const std::string script = dir.write("type-and-tab.zsh", kZshTypeAndTab).string();
  const std::string matches = (dir.path() / "matches").string();
  const std::string docs = RELAYAUDIT_DOCS_DIR;
  const auto run = run_command({"zsh", "-f", script, line, docs, matches});
  EXPECT_TRUE(run.succeeded()) << run.describe();
  std::vector<std::string> offered = split_lines(testing::read_file(matches));
  offered.erase(std::unique(offered.begin(), offered.end()), offered.end());
  return offered;
}

TEST(ZshCompletion, CompletesSubcommandsOptionsAndScriptIdsInARealZsh) {
  EXPECT_EQ(zsh_completes("relayaudit sc"), std::vector<std::string>{"scan"});
  EXPECT_EQ(zsh_completes("relayaudit scan --tests relay-"), builtin_script_ids("relay-"));
  EXPECT_EQ(zsh_completes("relayaudit scan --tls"),
            (std::vector<std::string>{"--tls", "--tls-detect-after", "--tls-probe"}));
}

}  // namespace
}  // namespace relayaudit
