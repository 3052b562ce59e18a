// Pacing against real Postfix: the error sleep after smtpd_soft_error_limit is learned and then
// avoided, and postscreen's greet wait is paid in parallel; the verdicts stay right.
#include <nlohmann/json.hpp>

#include <map>
#include <string>

#include "postfix/postfix_scan.hpp"
#include "support/postfix_instance.hpp"

namespace relayaudit::testing {
namespace {

using Mode = PostfixInstance::Mode;

// Error replies (final 4xx/5xx lines) per connection of the endpoint transcript.
std::map<int, int> errors_by_connection(const nlohmann::json& endpoint) {
  std::map<int, int> errors;
  for (const auto& line : endpoint["transcript"]) {  // [t_ms, session, dir, line]
    if (line.at(2) != "S") continue;
    const std::string text = line.at(3).get<std::string>();
    const bool final_error =
        text.size() >= 4 && text[3] == ' ' && (text[0] == '4' || text[0] == '5');
    errors[line.at(1).get<int>()] += final_error ? 1 : 0;
  }
  return errors;
}

TEST_F(ScanPostfixTest, TheErrorSleepIsLearnedAndLaterConnectionsStayBelowIt) {
  PostfixInstance::Options options;
  options.main_cf = {"smtpd_soft_error_limit = 3", "smtpd_hard_error_limit = 5",
                     "smtpd_error_sleep_time = 1s"};
  std::string error;
  const auto server = PostfixInstance::start(Mode::closed, options, &error);
  ASSERT_NE(server, nullptr) << error;

  const Scan result = scan(*server);
  const std::string why = diagnostics(result, *server);
  ASSERT_EQ(result.run.exit_code, 0) << why;
  ASSERT_EQ(result.results["endpoints"].size(), 1u) << why;
  const auto& endpoint = result.results["endpoints"][0];
  EXPECT_EQ(endpoint.value("verdict", ""), "closed") << why;
  const auto& pacing = endpoint["pacing"];
  // Postfix sleeps before every reply once a connection has made 3 errors.
  EXPECT_EQ(pacing.value("error_limit", 0), 3) << pacing.dump();
  EXPECT_EQ(pacing.value("errors_per_connection", 0), 2) << pacing.dump();
  for (const auto& test : endpoint["tests"]) {
    EXPECT_NE(test.value("outcome", ""), "error") << test.dump();
    EXPECT_NE(test.value("verdict", ""), "fail") << test.value("id", "?");
  }
  // Only the connections of the first round, opened before anything was learned, went past it.
  const int first_round = pacing.value("peak_connections", 0);
  int past_the_limit = 0;
  for (const auto& [connection, errors] : errors_by_connection(endpoint)) {
    past_the_limit += errors >= 3 ? 1 : 0;
  }
  EXPECT_GE(past_the_limit, 1) << why;
  EXPECT_LE(past_the_limit, first_round) << why;
  expect_nothing_queued(*server);
}

TEST_F(ScanPostfixTest, PostscreenGreetWaitIsSeenAndTheGatewayIsClosed) {
  PostfixInstance::Options options;
  options.main_cf = {"postscreen_greet_action = enforce", "postscreen_greet_wait = 2s",
                     "postscreen_dnsbl_sites =", "postscreen_access_list ="};
  options.listeners.push_back(PostfixInstance::Listener{"127.0.0.1", 0, {}, "postscreen"});
  std::string error;
  const auto server = PostfixInstance::start(Mode::closed, options, &error);
  ASSERT_NE(server, nullptr) << error;

  const Scan result = scan_target(*server, server->listeners().at(0).target(), {}, "postscreen");
  const std::string why = diagnostics(result, *server);
  ASSERT_EQ(result.run.exit_code, 0) << why;
  ASSERT_EQ(result.results["endpoints"].size(), 1u) << why;
  const auto& endpoint = result.results["endpoints"][0];
  EXPECT_EQ(endpoint.value("verdict", ""), "closed") << why;
  const auto& pacing = endpoint["pacing"];
  ASSERT_TRUE(pacing["greet_wait_ms"].is_number()) << pacing.dump();
  // Measured from our connect callback, which a loaded machine runs a little after the accept.
  EXPECT_GE(pacing["greet_wait_ms"].get<int>(), 1900) << pacing.dump();
  // The wait was paid by connections at once, not one after another.
  EXPECT_GE(pacing.value("peak_connections", 0), 2) << pacing.dump();
  expect_nothing_queued(*server);
}

}  // namespace
}  // namespace relayaudit::testing
