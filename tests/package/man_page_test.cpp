// relayaudit(1) as generated at build time: it names every option and argument each --help
// shows, in that command's section, every built-in script, and man renders it without a warning.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <sstream>
#include <string>

#include "help_outline.hpp"
#include "support/process.hpp"
#include "support/relayaudit_binary.hpp"

namespace relayaudit {
namespace {

using testing::kBinary;
using testing::run_command;

const std::string kManPage = std::string(RELAYAUDIT_DOCS_DIR) + "/relayaudit.1";

std::string roff_escaped(const std::string& text) {
  std::string out;
  for (char c : text) out += c == '-' ? std::string("\\-") : std::string(1, c);
  return out;
}

// The roff between a heading line and the next .SS or .SH.
std::string man_section(const std::string& page, const std::string& heading) {
  const auto start = page.find("\n" + heading + "\n");
  if (start == std::string::npos) return "";
  const auto body = start + heading.size() + 2;
  auto end = page.size();
  for (const char* next : {"\n.SS ", "\n.SH "}) end = std::min(end, page.find(next, body));
  return page.substr(body, end - body);
}

std::string command_heading(const testing::HelpOutline& outline) {
  return outline.path.empty() ? ".SH OPTIONS"
                              : ".SS \"" + roff_escaped(testing::command_name(outline)) + "\"";
}

TEST(ManPage, NamesEveryOptionAndArgumentOfEveryHelpInItsCommandsSection) {
  const std::string page = testing::read_file(kManPage);
  ASSERT_FALSE(page.empty()) << kManPage << " was not generated";
  const auto outlines = testing::every_help_outline(kBinary);
  ASSERT_GE(outlines.size(), 8u) << "relayaudit --help lists fewer subcommands than expected";
  std::size_t checked = 0;
  for (const auto& outline : outlines) {
    const std::string section = man_section(page, command_heading(outline));
    ASSERT_FALSE(section.empty()) << "no section " << command_heading(outline);
    for (const auto& option : outline.options) {
      EXPECT_NE(section.find("\\fB" + roff_escaped(option) + "\\fR"), std::string::npos)
          << command_name(outline) << " " << option << " is in --help but not in relayaudit.1";
      ++checked;
    }
    for (const auto& positional : outline.positionals) {
      EXPECT_NE(section.find("\\fI" + roff_escaped(positional) + "\\fR"), std::string::npos)
          << command_name(outline) << " argument " << positional << " is not in relayaudit.1";
    }
  }
  EXPECT_GE(checked, 60u) << "too few options found in --help: did its layout change?";
}

TEST(ManPage, ListsEveryBuiltInScriptAndTheExitCodes) {
  const std::string page = testing::read_file(kManPage);
  const auto listed = run_command({kBinary, "tests", "list"});
  ASSERT_TRUE(listed.succeeded()) << listed.describe();
  const std::string scripts = man_section(page, ".SH RELAY SCRIPTS");
  std::istringstream lines(listed.out);
  std::string line;
  std::size_t count = 0;
  while (std::getline(lines, line)) {
    const std::string id = line.substr(0, line.find(' '));
    EXPECT_NE(scripts.find("\\fB" + roff_escaped(id) + "\\fR"), std::string::npos) << id;
    ++count;
  }
  EXPECT_GE(count, 10u);
  const std::string exit_status = man_section(page, ".SH EXIT STATUS");
  for (const char* code : {"0 every endpoint closed", "1 open relay found", "4 runtime error"}) {
    EXPECT_NE(exit_status.find(code), std::string::npos) << code;
  }
}

TEST(ManPage, GroffAndManRenderItWithoutWarnings) {
  ASSERT_TRUE(run_command({"groff", "--version"}).succeeded())
      << "groff is missing: .ci/install-deps test installs it";
  const auto groff = run_command({"groff", "-man", "-ww", "-z", kManPage});
  EXPECT_TRUE(groff.succeeded()) << groff.describe();
  EXPECT_EQ(groff.err, "") << "groff warns about relayaudit.1";

  const auto man = run_command({"env", "MANWIDTH=80", "man", "--warnings", "-l", kManPage});
  ASSERT_TRUE(man.succeeded()) << man.describe();
  EXPECT_EQ(man.err, "") << "man -l warns about relayaudit.1";
  for (const char* heading : {"NAME", "SYNOPSIS", "COMMANDS", "EXIT STATUS", "RELAY SCRIPTS"}) {
    EXPECT_NE(man.out.find(heading), std::string::npos) << heading;
  }
  EXPECT_NE(man.out.find("--fail-on"), std::string::npos) << "options render with ASCII hyphens";
}

}  // namespace
}  // namespace relayaudit
