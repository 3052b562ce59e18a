// relayaudit(1) in roff (man macros), written from the command-line model.
#pragma once

#include <ostream>
#include <string>

#include "docgen/command_model.hpp"
#include "docgen/script_names.hpp"

namespace relayaudit::docgen {

void write_man_page(std::ostream& out, const CommandDoc& top, const ScriptNames& scripts,
                    const std::string& version);

}  // namespace relayaudit::docgen
