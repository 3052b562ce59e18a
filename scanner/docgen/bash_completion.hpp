// The bash completion script for relayaudit, written from the command-line model.
#pragma once

#include <ostream>

#include "docgen/command_model.hpp"
#include "docgen/script_names.hpp"

namespace relayaudit::docgen {

// Defines _relayaudit (needs bash 4: associative arrays) and registers it with `complete`.
void write_bash_completion(std::ostream& out, const CommandDoc& top, const ScriptNames& scripts);

}  // namespace relayaudit::docgen
