// What `relayaudit --version` prints: the tool, the commit it was built from, and the runtime
// versions of the libraries whose behaviour a bug report depends on.
#pragma once

#include <string>

namespace relayaudit {

// `git rev-parse --short HEAD` of the source tree at build time, or "unknown" outside a git
// checkout; defined in the generated build_commit.cpp so a new commit recompiles only that file.
extern const char* const kBuildCommit;

// "relayaudit X.Y.Z" on the first line (scripts read it), then commit, OpenSSL, libuv and ldns.
std::string version_text();

}  // namespace relayaudit
