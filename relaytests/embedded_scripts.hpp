// The JSON script files compiled into the binary by cmake/embed_scripts.cmake (private to the
// loader).
#pragma once

#include <cstddef>

namespace relayaudit {

struct EmbeddedScriptFile {
  const char* path;  // relative to relaytests/, e.g. "core/relay-external-sender.json"
  const char* text;  // the file's bytes, NUL-terminated
};

// Sorted by path. The array always has at least one element; only the first Count are files.
extern const EmbeddedScriptFile kEmbeddedScripts[];
extern const std::size_t kEmbeddedScriptCount;

}  // namespace relayaudit
