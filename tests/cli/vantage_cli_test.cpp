// --xclient and --proxy-protocol on the command line: a bad client address is a usage error that
// names the option; a scan records its vantage in results.json and the terminal summary.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "input_error.hpp"
#include "support/process.hpp"
#include "support/relayaudit_binary.hpp"
#include "support/temp_dir.hpp"

namespace relayaudit {
namespace {

using testing::expect_input_error;
using testing::kBinary;
using testing::run_command;
using testing::TempDir;

TEST(VantageCli, TheClientAddressMustBeAnIpAddress) {
  expect_input_error(run_command({kBinary, "scan", "127.0.0.1:1", "--xclient", "mx.example"}),
                     "--xclient 'mx.example': not an IP address");
  expect_input_error(run_command({kBinary, "scan", "127.0.0.1:1", "--proxy-protocol", "v1",
                                  "--proxy-source", "300.1.1.1"}),
                     "--proxy-source '300.1.1.1': not an IP address");
  expect_input_error(run_command({kBinary, "scan", "127.0.0.1:1", "--proxy-protocol", "v2"}),
                     "--proxy-protocol and --proxy-source go together");
  expect_input_error(run_command({kBinary, "scan", "127.0.0.1:1", "--xclient", "203.0.113.7",
                                  "--proxy-protocol", "v1", "--proxy-source", "203.0.113.7"}),
                     "give one");
  expect_input_error(run_command({kBinary, "scan", "127.0.0.1:1", "--proxy-protocol", "v3",
                                  "--proxy-source", "203.0.113.7"}),
                     "--proxy-protocol");
}

TEST(VantageCli, TheResultsAndTheSummaryStateTheVantage) {
  TempDir dir;
  const std::string out = (dir.path() / "r.json").string();
  // Port 1 refuses: unreachable, but the run block is written all the same.
  const auto run = run_command({kBinary, "scan", "127.0.0.1:1", "--xclient", "IPV6:2001:DB8::7",
                                "--tests", "control-postmaster", "-o", out});
  EXPECT_EQ(run.exit_code, 3) << run.describe() << run.err;
  const auto document = nlohmann::json::parse(testing::read_file(out));
  EXPECT_EQ(document["run"]["vantage"],
            (nlohmann::json{{"mode", "xclient"}, {"client", "2001:db8::7"}}));
  EXPECT_NE((run.out + run.err).find("Vantage: xclient as client 2001:db8::7"), std::string::npos)
      << run.out << run.err;
  // Every rendering of the document states it.
  const std::string base = (dir.path() / "r").string();
  const auto rendered =
      run_command({kBinary, "report", out, "--markdown", base + ".md", "--junit", base + ".xml",
                   "--sarif", base + ".sarif", "--html", base + ".html"});
  ASSERT_EQ(rendered.exit_code, 0) << rendered.describe() << rendered.err;
  // Markdown escapes the colons, so no link or emoji syntax can form.
  EXPECT_NE(testing::read_file(base + ".md").find("Vantage: xclient as client 2001\\:db8\\:\\:7."),
            std::string::npos);
  EXPECT_NE(testing::read_file(base + ".xml")
                .find("<property name=\"vantage\" value=\"xclient as client 2001:db8::7\""),
            std::string::npos);
  const auto sarif = nlohmann::json::parse(testing::read_file(base + ".sarif"));
  EXPECT_EQ(sarif["runs"][0]["invocations"][0]["properties"]["vantage"]["mode"], "xclient");
  EXPECT_NE(testing::read_file(base + ".html").find("xclient as client 2001:db8::7"),
            std::string::npos);
  const auto direct = run_command(
      {kBinary, "scan", "127.0.0.1:1", "--tests", "control-postmaster", "-q", "-o", out});
  EXPECT_EQ(nlohmann::json::parse(testing::read_file(out))["run"]["vantage"],
            (nlohmann::json{{"mode", "direct"}, {"client", nullptr}}));
}

}  // namespace
}  // namespace relayaudit
