// How the tests of refused input expect relayaudit to end: exit 2, by exiting, naming the place.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "support/process.hpp"

namespace relayaudit::testing {

inline constexpr int kInputError = 2;

// Exit 2 by exiting, not by a signal, with `where` in the message.
inline void expect_input_error(const CommandResult& run, const std::string& where) {
  EXPECT_EQ(run.signal, 0) << run.describe() << run.err;
  EXPECT_EQ(run.exit_code, kInputError) << run.describe() << run.err;
  EXPECT_NE(run.err.find(where), std::string::npos) << "expected '" << where << "' in: " << run.err;
}

}  // namespace relayaudit::testing
