// Reads CLI11's --help layout: "Options:" etc. headings, then one "  NAMES ..." line per entry.
#include "help_outline.hpp"

#include <sstream>
#include <stdexcept>

#include "support/process.hpp"

namespace relayaudit::testing {

namespace {

// "-p,--port INT:INT in [1 - 65535]=25" -> {"-p", "--port"}.
std::vector<std::string> entry_names(const std::string& line) {
  const std::string first = line.substr(2, line.find(' ', 2) - 2);
  std::vector<std::string> names;
  std::istringstream parts(first);
  std::string name;
  while (std::getline(parts, name, ',')) names.push_back(name);
  return names;
}

}  // namespace

HelpOutline help_outline(const std::string& binary, const std::vector<std::string>& path) {
  std::vector<std::string> argv{binary};
  argv.insert(argv.end(), path.begin(), path.end());
  argv.push_back("--help");
  const CommandResult help = run_command(argv);
  if (!help.succeeded()) throw std::runtime_error("--help failed: " + help.describe());
  HelpOutline outline;
  outline.path = path;
  std::istringstream lines(help.out);
  std::string line;
  std::string section;
  while (std::getline(lines, line)) {
    if (!line.empty() && line[0] != ' ' && line.back() == ':') {
      section = line;
      continue;
    }
    if (line.empty() || line[0] != ' ') {
      section.clear();  // the footer, or the usage line
      continue;
    }
    // An entry starts two columns in; its wrapped description is indented further.
    if (line.size() < 3 || line[1] != ' ' || line[2] == ' ') continue;
    const std::vector<std::string> names = entry_names(line);
    std::vector<std::string>* into = section == "Options:"       ? &outline.options
                                     : section == "Positionals:" ? &outline.positionals
                                     : section == "Subcommands:" ? &outline.subcommands
                                                                 : nullptr;
    if (into != nullptr) into->insert(into->end(), names.begin(), names.end());
  }
  return outline;
}

std::vector<HelpOutline> every_help_outline(const std::string& binary) {
  std::vector<HelpOutline> outlines{help_outline(binary, {})};
  for (std::size_t i = 0; i < outlines.size(); ++i) {
    const std::vector<std::string> subcommands = outlines[i].subcommands;  // outlines grows
    for (const auto& sub : subcommands) {
      std::vector<std::string> path = outlines[i].path;
      path.push_back(sub);
      outlines.push_back(help_outline(binary, path));
    }
  }
  return outlines;
}

std::string command_name(const HelpOutline& outline) {
  std::string name = "relayaudit";
  for (const auto& word : outline.path) name += " " + word;
  return name;
}

}  // namespace relayaudit::testing
