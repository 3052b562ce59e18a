// The built-in relay scripts as the man page and completion name them.
#pragma once

#include <string>
#include <vector>

namespace relayaudit::docgen {

struct ScriptName {
  std::string id;
  std::string title;
};

struct ScriptNames {
  std::vector<ScriptName> scripts;  // library order, as `relayaudit tests list` prints them
  std::vector<std::string> tags;    // every tag --tests also accepts, sorted
};

}  // namespace relayaudit::docgen
