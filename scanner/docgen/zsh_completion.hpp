// The zsh completion function (_relayaudit) for relayaudit, written from the command-line model.
#pragma once

#include <ostream>

#include "docgen/command_model.hpp"
#include "docgen/script_names.hpp"

namespace relayaudit::docgen {

void write_zsh_completion(std::ostream& out, const CommandDoc& top, const ScriptNames& scripts);

}  // namespace relayaudit::docgen
