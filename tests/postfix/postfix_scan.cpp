// Runs the relayaudit binary against a real Postfix instance and reads its results JSON.
#include "postfix/postfix_scan.hpp"

#include <chrono>

namespace relayaudit::testing {

using namespace std::chrono_literals;

// Under the ctest limit per test, with room to start and stop Postfix.
constexpr auto kScanTimeout = 90s;

Scan scan_target(const PostfixInstance& server, const std::string& target,
                 const std::vector<std::string>& extra_args, const std::string& name) {
  const std::string json_path = server.dir() + "/" + name + ".json";
  const std::string output_path = server.dir() + "/" + name + ".out";
  std::vector<std::string> argv{
      std::string(kRelayauditBinary), "scan", target, "-o", json_path, "-q", "--ehlo-name",
      "scanner.relayaudit.test"};
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  Scan result;
  result.run = run_command(argv, output_path, kScanTimeout);
  result.output = read_file(output_path);
  try {
    result.results = nlohmann::json::parse(read_file(json_path));
  } catch (const nlohmann::json::exception& e) {
    result.parse_error = std::string("cannot parse ") + json_path + ": " + e.what();
  }
  return result;
}

Scan scan(const PostfixInstance& server) {
  return scan_target(server, "127.0.0.1:" + std::to_string(server.port()));
}

const nlohmann::json* find_test(const nlohmann::json& endpoint, const std::string& id) {
  if (!endpoint.contains("tests")) return nullptr;
  for (const auto& test : endpoint["tests"])
    if (test.value("id", "") == id) return &test;
  return nullptr;
}

std::vector<std::string> failed_ids(const nlohmann::json& endpoint) {
  std::vector<std::string> failed;
  for (const auto& test : endpoint["tests"])
    if (test.value("verdict", "") == "fail") failed.push_back(test.value("id", "?"));
  return failed;
}

std::string diagnostics(const Scan& result, const PostfixInstance& server) {
  return "scanner: " + result.run.describe() + "\n--- scanner output\n" +
         last_lines(result.output, 40) + "\n--- results\n" +
         (result.parse_error.empty() ? result.results.dump(2).substr(0, 8000)
                                     : result.parse_error) +
         "\n" + server.log_tail(60);
}

void expect_nothing_queued(const PostfixInstance& server) {
  const std::string log = server.maillog();
  for (const char* sign :
       {"queued as", "status=sent", "status=deferred", "status=bounced", " data=", " bdat="})
    EXPECT_TRUE(log_lines_with(log, sign).empty()) << "maillog shows '" << sign << "':\n"
                                                   << server.log_tail(60);
}

void ScanPostfixTest::SetUp() {
  PostfixTest::SetUp();
  if (IsSkipped() || HasFatalFailure()) return;
  if (!kRelayauditBinary.empty()) return;
  const std::string reason = "the relayaudit binary is not built yet (no RELAYAUDIT_BINARY)";
  if (postfix_required()) FAIL() << "RELAYAUDIT_REQUIRE_POSTFIX=1 but " << reason;
  GTEST_SKIP() << reason;
}

}  // namespace relayaudit::testing
