// `relayaudit lab` through the binary: the pacing profiles and options from the command line,
// documented in --help, and bad values refused with the usage exit code.
#include <gtest/gtest.h>

#include <chrono>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "lab_client.hpp"
#include "support/process.hpp"
#include "support/relayaudit_binary.hpp"
#include "support/temp_dir.hpp"

namespace relayaudit::testing {
namespace {

constexpr int kExitUsage = 2;

TEST(LabCommand, HelpDocumentsThePacingOptions) {
  const CommandResult help = run_command({kBinary, "lab", "--help"});
  EXPECT_EQ(help.exit_code, 0) << help.describe();
  for (const char* option : {"--latency", "--tarpit-delay", "--greet-wait", "--connection-limit",
                             "--soft-error-limit", "--error-sleep", "--hard-error-limit"}) {
    EXPECT_NE(help.out.find(option), std::string::npos) << option;
  }
}

TEST(LabCommand, BadPacingValuesAreUsageErrorsNamingTheOption) {
  const std::vector<std::vector<std::string>> bad{
      {"--latency", "-1"},         {"--latency=-1"},
      {"--latency", "20 parsecs"}, {"--greet-wait", "xyz"},
      {"--tarpit-delay", "5x"},    {"--error-sleep", ""},
      {"--connection-limit", "0"}, {"--soft-error-limit", "x"},
      {"--hard-error-limit", "-3"}};
  for (const auto& arguments : bad) {
    std::vector<std::string> argv{kBinary, "lab", "--profile", "closed"};
    argv.insert(argv.end(), arguments.begin(), arguments.end());
    const CommandResult run = run_command(argv, std::chrono::seconds(10));
    const std::string option = arguments.front().substr(0, arguments.front().find('='));
    EXPECT_EQ(run.exit_code, kExitUsage) << option << ": " << run.describe();
    EXPECT_NE(run.err.find(option), std::string::npos) << run.err;
  }
}

// The port of each "127.0.0.1:PORT" line the lab wrote, once it has written them all.
std::vector<std::uint16_t> served_ports(const std::string& endpoints_file, std::size_t count) {
  std::vector<std::uint16_t> ports;
  for (int attempt = 0; attempt < 500 && ports.size() < count; ++attempt) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    ports.clear();
    std::istringstream lines(read_file(endpoints_file));
    for (std::string line; std::getline(lines, line);) {
      ports.push_back(static_cast<std::uint16_t>(std::stoi(line.substr(line.rfind(':') + 1))));
    }
  }
  return ports;
}

TEST(LabCommand, EveryPacingProfileServesFromTheCommandLine) {
  const TempDir dir;
  const std::string endpoints = (dir.path() / "endpoints.txt").string();
  BackgroundProcess lab(
      {kBinary,
       "lab",
       "--profile",
       "exchange-tarpit,postscreen,exim-syntax-limit,connection-limit,error-sleep",
       "--latency",
       "5",
       "--tarpit-delay",
       "300ms",
       "--greet-wait",
       "300ms",
       "--connection-limit",
       "1",
       "--soft-error-limit",
       "2",
       "--error-sleep",
       "100ms",
       "--hard-error-limit",
       "4",
       "--endpoints-file",
       endpoints});
  const std::vector<std::uint16_t> ports = served_ports(endpoints, 5);
  ASSERT_EQ(ports.size(), 5u) << "the lab did not write its endpoints";
  const auto gateway = [&](std::size_t index) {
    return LabGateway{LabProfile::closed, "127.0.0.1", ports[index], "", false};
  };

  LabClient tarpit(gateway(0));
  EXPECT_EQ(tarpit.read_reply().last(),
            "220 exchange-tarpit-1.lab.relayaudit.test ESMTP relayaudit-lab");
  const auto greeted_from = std::chrono::steady_clock::now();
  LabClient postscreen(gateway(1));
  EXPECT_EQ(postscreen.read_line(), "220-postscreen-2.lab.relayaudit.test ESMTP");
  EXPECT_EQ(postscreen.read_reply().code, 220);
  EXPECT_GE(std::chrono::steady_clock::now() - greeted_from, std::chrono::milliseconds(300));
  LabClient exim(gateway(2));
  EXPECT_EQ(exim.read_reply().code, 220);
  LabClient limited(gateway(3));
  EXPECT_EQ(limited.read_reply().code, 220);
  LabClient one_too_many(gateway(3));  // --connection-limit 1
  EXPECT_EQ(one_too_many.read_reply().code, 421);
  LabClient sleeper(gateway(4));
  EXPECT_EQ(sleeper.read_reply().code, 220);
  ASSERT_EQ(sleeper.command("EHLO scanner.example").code, 250);
  for (int error = 1; error <= 3; ++error) EXPECT_EQ(sleeper.command("MAIL FROM:<a b>").code, 501);
  EXPECT_EQ(sleeper.command("MAIL FROM:<a b>").code, 501);  // the 4th: --hard-error-limit 4
  EXPECT_EQ(sleeper.read_reply().code, 421);
  EXPECT_EQ(lab.stop(), 0) << "the lab stops cleanly on SIGTERM";
}

}  // namespace
}  // namespace relayaudit::testing
