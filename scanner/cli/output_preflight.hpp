// Checks, before any work, that every output a command was asked for can be written at all.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace relayaudit {

// One output a command was asked to write.
struct RequestedOutput {
  std::string flag;           // "-o", "--junit": named in the message
  std::string path;           // as given
  bool may_be_stdout = true;  // false: "-" is a file of that name (the --jsonl stream)
  bool appended = false;      // written in place (the --jsonl stream), not replaced by rename
};

// The first problem among `outputs`, as "<flag>: <why>": a path that is a directory, a socket or
// otherwise impossible to write (reports/output_path.hpp), a file whose directory is missing or
// not writable (a replaced file needs its directory, an appended one itself), or "-" given to
// more than one output.
// nullopt when all of them can be tried.
std::optional<std::string> outputs_problem(const std::vector<RequestedOutput>& outputs);

}  // namespace relayaudit
