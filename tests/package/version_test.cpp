// `relayaudit --version`: the version scripts read on its first line, then the commit it was
// built from and the library versions a bug report needs.
#include <gtest/gtest.h>

#include <uv.h>

#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "reports/version.hpp"
#include "support/process.hpp"
#include "support/relayaudit_binary.hpp"

namespace relayaudit {
namespace {

using testing::kBinary;
using testing::run_command;

std::vector<std::string> version_lines() {
  const auto result = run_command({kBinary, "--version"});
  EXPECT_TRUE(result.succeeded()) << result.describe();
  std::vector<std::string> lines;
  std::istringstream in(result.out);
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  return lines;
}

TEST(Version, FirstLineIsTheToolVersionThenCommitAndLibraries) {
  const auto lines = version_lines();
  ASSERT_EQ(lines.size(), 5u);
  EXPECT_EQ(lines[0], std::string("relayaudit ") + kToolVersion);
  EXPECT_TRUE(std::regex_match(lines[1], std::regex("commit ([0-9a-f]{4,40}|unknown)")))
      << lines[1];
  EXPECT_TRUE(std::regex_match(lines[2], std::regex("OpenSSL 3\\.[0-9]+\\.[0-9]+.*"))) << lines[2];
  // The same libuv this test process loaded: the runtime version, not the header's.
  EXPECT_EQ(lines[3], std::string("libuv ") + uv_version_string());
  EXPECT_TRUE(std::regex_match(lines[4], std::regex("ldns 1\\.[0-9]+\\.[0-9]+"))) << lines[4];
}

TEST(Version, NamesTheCommitOfTheSourceTreeItWasBuiltFrom) {
  const auto head =
      run_command({"git", "-C", RELAYAUDIT_SOURCE_DIR, "rev-parse", "--short", "HEAD"});
  if (!head.succeeded()) GTEST_SKIP() << "the source tree is not a git checkout";
  const auto lines = version_lines();
  ASSERT_GE(lines.size(), 2u);
  // The build reads HEAD on every build; a commit made after the last build is not in it yet.
  EXPECT_EQ(lines[1], "commit " + head.out.substr(0, head.out.find('\n')))
      << "rebuild after committing";
}

}  // namespace
}  // namespace relayaudit
