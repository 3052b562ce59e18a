// Runs the relayaudit binary against a real Postfix instance and reads its results JSON.
#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>
#include <vector>

#include "postfix/postfix_fixture.hpp"
#include "support/postfix_instance.hpp"
#include "support/process.hpp"

namespace relayaudit::testing {

#ifdef RELAYAUDIT_BINARY
inline constexpr std::string_view kRelayauditBinary = RELAYAUDIT_BINARY;
#else
inline constexpr std::string_view kRelayauditBinary;  // the scanner target is not built
#endif

struct Scan {
  CommandResult run;
  nlohmann::json results;
  std::string output;  // the scanner's stdout and stderr
  std::string parse_error;
};

// `relayaudit scan TARGET -o DIR/NAME.json -q --ehlo-name scanner.relayaudit.test EXTRA...`;
// `name` keeps several scans of one instance apart in its directory.
Scan scan_target(const PostfixInstance& server, const std::string& target,
                 const std::vector<std::string>& extra_args = {}, const std::string& name = "scan");

// The plain 127.0.0.1 listener.
Scan scan(const PostfixInstance& server);

const nlohmann::json* find_test(const nlohmann::json& endpoint, const std::string& id);
std::vector<std::string> failed_ids(const nlohmann::json& endpoint);

// The scanner's exit, output and results, then the instance's logs: for assertion messages.
std::string diagnostics(const Scan& result, const PostfixInstance& server);

// The scanner never sends DATA, so Postfix must never have queued or delivered anything.
void expect_nothing_queued(const PostfixInstance& server);

// PostfixTest, plus: the relayaudit binary must be built (skip, or fail under CI).
class ScanPostfixTest : public PostfixTest {
 protected:
  void SetUp() override;
};

}  // namespace relayaudit::testing
