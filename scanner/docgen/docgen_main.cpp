// relayaudit-docgen: writes relayaudit.1, the bash completion and the zsh completion from the
// same CLI11 app relayaudit parses with (build time only; not installed).
//   relayaudit-docgen MAN_PAGE BASH_COMPLETION ZSH_COMPLETION
#include <algorithm>
#include <fstream>
#include <functional>
#include <iostream>
#include <set>

#include "cli/command_line.hpp"
#include "docgen/bash_completion.hpp"
#include "docgen/command_model.hpp"
#include "docgen/man_page.hpp"
#include "docgen/zsh_completion.hpp"
#include "relaytests/script_library.hpp"
#include "reports/version.hpp"

namespace {

using namespace relayaudit;

docgen::ScriptNames builtin_script_names() {
  docgen::ScriptNames names;
  std::set<std::string> tags;
  for (const RelayScript& script : builtin_scripts()) {
    names.scripts.push_back({script.id, script.title});
    tags.insert(script.tags.begin(), script.tags.end());
  }
  names.tags.assign(tags.begin(), tags.end());
  return names;
}

// Writes one file through `write`; false (with a message) when it cannot be written.
bool write_file(const std::string& path, const std::function<void(std::ostream&)>& write) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  write(out);
  out.close();
  if (!out) {
    std::cerr << "relayaudit-docgen: cannot write " << path << "\n";
    return false;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::cerr << "usage: relayaudit-docgen MAN_PAGE BASH_COMPLETION ZSH_COMPLETION\n";
    return 2;
  }
  CLI::App app;
  AllCommandOptions options;
  build_command_line(app, options);
  const docgen::CommandDoc top = docgen::describe_command_line(app);
  const docgen::ScriptNames scripts = builtin_script_names();
  const bool written =
      write_file(argv[1],
                 [&](std::ostream& out) { write_man_page(out, top, scripts, kToolVersion); }) &&
      write_file(argv[2], [&](std::ostream& out) { write_bash_completion(out, top, scripts); }) &&
      write_file(argv[3], [&](std::ostream& out) { write_zsh_completion(out, top, scripts); });
  return written ? 0 : 1;
}
