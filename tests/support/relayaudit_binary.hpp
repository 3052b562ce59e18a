// The relayaudit executable, for the tests that run it: tests/CMakeLists.txt passes its path as
// RELAYAUDIT_BINARY to every test folder once the relayaudit target exists.
#pragma once

#include <string>

#ifndef RELAYAUDIT_BINARY
#error "these tests need the relayaudit binary (RELAYAUDIT_BINARY)"
#endif

namespace relayaudit::testing {

inline const std::string kBinary = RELAYAUDIT_BINARY;

}  // namespace relayaudit::testing
