// The skip-or-fail policy shared by the real-Postfix tests, and helpers to read a maillog.
#pragma once

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "support/postfix_instance.hpp"

namespace relayaudit::testing {

// Skips every test of the suite when Postfix cannot run here, unless RELAYAUDIT_REQUIRE_POSTFIX=1
// (CI), where not running is a failure. A fatal failure in SetUp() also skips the test body.
class PostfixTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string reason = postfix_unavailable_reason();
    if (reason.empty()) return;
    if (postfix_required()) FAIL() << "RELAYAUDIT_REQUIRE_POSTFIX=1 but " << reason;
    GTEST_SKIP() << reason;
  }
};

// The maillog lines that contain `needle`.
inline std::vector<std::string> log_lines_with(const std::string& log, const std::string& needle) {
  std::vector<std::string> found;
  std::istringstream lines(log);
  for (std::string line; std::getline(lines, line);)
    if (line.find(needle) != std::string::npos) found.push_back(line);
  return found;
}

}  // namespace relayaudit::testing
