// summarize(): counts per verdict and the run verdict, unresolved targets included.
#include <gtest/gtest.h>

#include "reports/summary.hpp"
#include "results/audit_result.hpp"
#include "support/sample_scan.hpp"

namespace relayaudit {
namespace {

ScanResult scan_of(std::initializer_list<EndpointVerdict> verdicts, int unresolved = 0) {
  ScanResult scan;
  int n = 0;
  for (EndpointVerdict verdict : verdicts) {
    scan.endpoints.push_back(testing::make_endpoint("192.0.2." + std::to_string(++n), verdict));
  }
  for (int i = 0; i < unresolved; ++i) {
    scan.unresolved.push_back({"t" + std::to_string(i), "argument", Status::resolve_failed, "x"});
  }
  return scan;
}

EndpointVerdict run_verdict(std::initializer_list<EndpointVerdict> verdicts, int unresolved = 0) {
  return summarize(scan_of(verdicts, unresolved)).verdict;
}

using V = EndpointVerdict;

TEST(Summarize, EmptyScanIsClosed) {
  const ScanSummary summary = summarize(ScanResult{});
  EXPECT_EQ(summary.endpoints, 0);
  EXPECT_EQ(summary.unresolved, 0);
  EXPECT_EQ(summary.verdict, V::closed);
}

TEST(Summarize, CountsEveryVerdictAndTest) {
  const ScanSummary summary = summarize(testing::make_sample_scan());
  EXPECT_EQ(summary.endpoints, 4);
  EXPECT_EQ(summary.open_relay, 1);
  EXPECT_EQ(summary.closed, 1);
  EXPECT_EQ(summary.inconclusive, 1);
  EXPECT_EQ(summary.unreachable, 1);
  EXPECT_EQ(summary.unresolved, 1);
  EXPECT_EQ(summary.tests, 4);
  EXPECT_EQ(summary.tests_failed, 1);
  EXPECT_EQ(summary.verdict, V::open_relay);
}

TEST(Summarize, RunVerdictIsTheWorstEndpoint) {
  EXPECT_EQ(run_verdict({V::closed, V::closed}), V::closed);
  EXPECT_EQ(run_verdict({V::closed, V::unreachable}), V::unreachable);
  EXPECT_EQ(run_verdict({V::unreachable, V::inconclusive, V::closed}), V::inconclusive);
  EXPECT_EQ(run_verdict({V::closed, V::open_relay, V::inconclusive}), V::open_relay);
}

TEST(Summarize, UnresolvedTargetsCountAsUnreachableInTheRunVerdict) {
  EXPECT_EQ(run_verdict({}, 1), V::unreachable);
  EXPECT_EQ(run_verdict({V::closed}, 2), V::unreachable);
  EXPECT_EQ(run_verdict({V::inconclusive}, 1), V::inconclusive);
  EXPECT_EQ(run_verdict({V::open_relay}, 1), V::open_relay);
  const ScanSummary summary = summarize(scan_of({V::closed}, 2));
  EXPECT_EQ(summary.unresolved, 2);
  EXPECT_EQ(summary.unreachable, 0);  // counted apart; only the verdict treats them alike
  EXPECT_EQ(summary.endpoints, 1);
}

}  // namespace
}  // namespace relayaudit
