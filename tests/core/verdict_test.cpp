// The verdict contract of DESIGN.md, case by case.
#include <gtest/gtest.h>

#include "core/duration.hpp"
#include "core/status.hpp"
#include "core/verdict.hpp"

#include <uv.h>

namespace relayaudit {
namespace {

TEST(Verdict, RelayAttemptOutcomes) {
  EXPECT_EQ(judge_test(Expectation::reject, Outcome::rejected), TestVerdict::pass);
  EXPECT_EQ(judge_test(Expectation::reject, Outcome::accepted), TestVerdict::fail);
  for (Outcome other : {Outcome::deferred, Outcome::blocked, Outcome::error}) {
    EXPECT_EQ(judge_test(Expectation::reject, other), TestVerdict::inconclusive);
  }
}

TEST(Verdict, ControlsNeverFail) {
  EXPECT_EQ(judge_test(Expectation::accept, Outcome::accepted), TestVerdict::pass);
  for (Outcome other : {Outcome::rejected, Outcome::deferred, Outcome::blocked, Outcome::error}) {
    EXPECT_EQ(judge_test(Expectation::accept, other), TestVerdict::inconclusive);
  }
}

TEST(Verdict, EndpointRules) {
  using E = Expectation;
  using V = TestVerdict;
  EXPECT_EQ(judge_endpoint({{E::reject, V::pass, true}, {E::reject, V::fail, true}}),
            EndpointVerdict::open_relay);
  EXPECT_EQ(judge_endpoint({{E::reject, V::pass, true}, {E::accept, V::pass, true}}),
            EndpointVerdict::closed);
  // A refused control means the server refuses us: closed is unproven.
  EXPECT_EQ(judge_endpoint({{E::reject, V::pass, true}, {E::accept, V::inconclusive, true}}),
            EndpointVerdict::inconclusive);
  EXPECT_EQ(
      judge_endpoint({{E::reject, V::inconclusive, false}, {E::accept, V::inconclusive, false}}),
      EndpointVerdict::unreachable);
  // An open relay found before a later connection failure is still an open relay.
  EXPECT_EQ(judge_endpoint({{E::reject, V::fail, true}, {E::reject, V::inconclusive, false}}),
            EndpointVerdict::open_relay);
  EXPECT_EQ(judge_endpoint({}), EndpointVerdict::unreachable);
}

TEST(Verdict, WorstOf) {
  EXPECT_EQ(worst_of(EndpointVerdict::closed, EndpointVerdict::open_relay),
            EndpointVerdict::open_relay);
  EXPECT_EQ(worst_of(EndpointVerdict::unreachable, EndpointVerdict::inconclusive),
            EndpointVerdict::inconclusive);
  EXPECT_EQ(worst_of(EndpointVerdict::closed, EndpointVerdict::unreachable),
            EndpointVerdict::unreachable);
}

TEST(Status, KeepsTheRealReason) {
  EXPECT_EQ(status_from_uv(UV_ECONNREFUSED, true), Status::connection_refused);
  EXPECT_EQ(status_from_uv(UV_ETIMEDOUT, true), Status::connection_timeout);
  EXPECT_EQ(status_from_uv(UV_ETIMEDOUT, false), Status::io_timeout);
  EXPECT_EQ(status_from_uv(UV_ECONNRESET, false), Status::connection_reset);
  EXPECT_EQ(status_from_uv(UV_EOF, false), Status::closed_by_server);
  EXPECT_EQ(status_from_uv(UV_ENETUNREACH, true), Status::network_unreachable);
  EXPECT_EQ(to_string(Status::protocol_error), "protocol-error");
  EXPECT_EQ(to_string(Status::connection_refused), "connection-refused");
}

TEST(Duration, ParsesUnitsAndRejectsNonsense) {
  EXPECT_EQ(parse_duration("250ms"), Millis(250));
  EXPECT_EQ(parse_duration("10s"), Millis(10'000));
  EXPECT_EQ(parse_duration("10"), Millis(10'000));
  EXPECT_EQ(parse_duration("2m"), Millis(120'000));
  EXPECT_EQ(parse_duration("1h"), Millis(3'600'000));
  for (const char* bad : {"", "s", "-1s", "10x", "1.5s", "99999999999h"}) {
    EXPECT_FALSE(parse_duration(bad).has_value()) << bad;
  }
  EXPECT_EQ(format_duration(Millis(1500)), "1500ms");
  EXPECT_EQ(format_duration(Millis(2000)), "2s");
}

}  // namespace
}  // namespace relayaudit
