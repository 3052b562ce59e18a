// DnsResolver's transport: timeouts and retries across servers, the cache, coalescing, the
// in-flight cap with 1,000 queries, and shutdown with queries pending.
#include <gtest/gtest.h>

#include <chrono>

#include "dns_harness.hpp"

namespace relayaudit::testing {
namespace {

using std::chrono::milliseconds;
using TransportTest = NsdTest;

DnsResolverOptions options_for(std::vector<std::string> servers, milliseconds timeout,
                               int retries) {
  DnsResolverOptions options;
  options.servers = std::move(servers);
  options.resolv_conf = "/nonexistent";
  options.timeout = timeout;
  options.retries = retries;
  return options;
}

TEST_F(TransportTest, ServerThatNeverAnswersTimesOutAfterEveryRetry) {
  ResolverLoop run;
  UdpRelay silent(run.loop());  // bound on loopback, reads queries, never answers
  ASSERT_EQ(run.start(options_for({silent.spec()}, milliseconds(100), 2)), std::nullopt);
  const auto started = std::chrono::steady_clock::now();
  const DnsAnswer answer = run.ask("mx-a.relayaudit.test", kDnsTypeA);
  const auto elapsed = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(answer.status, DnsStatus::timeout);
  EXPECT_NE(answer.reason.find("no answer from " + silent.spec() + " within 100ms"),
            std::string::npos)
      << answer.reason;
  EXPECT_NE(answer.reason.find("3 attempts"), std::string::npos) << answer.reason;
  EXPECT_EQ(silent.queries(), 3);
  EXPECT_EQ(run.resolver().stats().timeouts, 3u);
  EXPECT_GE(elapsed, milliseconds(280));  // libuv's clock has millisecond steps
  EXPECT_LT(elapsed, milliseconds(3000));
  // A timeout is not cached: asking again sends again.
  run.ask("mx-a.relayaudit.test", kDnsTypeA);
  EXPECT_EQ(silent.queries(), 6);
  silent.close();
  EXPECT_EQ(run.shut_down(), 0);
}

TEST_F(TransportTest, RetriesRotateOverTheServers) {
  ResolverLoop run;
  UdpRelay first(run.loop());
  UdpRelay second(run.loop());
  ASSERT_EQ(run.start(options_for({first.spec(), second.spec()}, milliseconds(80), 3)),
            std::nullopt);
  EXPECT_EQ(run.ask("mx-a.relayaudit.test", kDnsTypeA).status, DnsStatus::timeout);
  EXPECT_EQ(first.queries(), 2);
  EXPECT_EQ(second.queries(), 2);
}

TEST_F(TransportTest, NextServerAnswersWhenTheFirstIsSilent) {
  ResolverLoop run;
  UdpRelay silent(run.loop());
  ASSERT_EQ(run.start(options_for({silent.spec(), nsd().spec()}, milliseconds(100), 2)),
            std::nullopt);
  const DnsAnswer answer = run.ask("mx-eq1.relayaudit.test", kDnsTypeA);
  ASSERT_EQ(answer.status, DnsStatus::ok) << answer.reason;
  EXPECT_EQ(sorted_texts(answer), std::vector<std::string>{"192.0.2.41"});
  EXPECT_EQ(silent.queries(), 1);
}

TEST_F(TransportTest, RefusedByOneServerTriesTheNext) {
  // nsd refuses names it does not serve; with two servers both are asked, then it is final.
  ResolverLoop run;
  UdpRelay counting(run.loop(), nsd().spec());
  ASSERT_EQ(run.start(options_for({counting.spec(), nsd().spec()}, milliseconds(500), 2)),
            std::nullopt);
  const DnsAnswer answer = run.ask("example.invalid", kDnsTypeA);
  EXPECT_EQ(answer.status, DnsStatus::refused);
  EXPECT_EQ(counting.queries(), 2);  // attempts 1 and 3; attempt 2 went to nsd directly
  EXPECT_EQ(run.resolver().stats().udp_packets, 3u);
}

TEST_F(TransportTest, CachedAnswerSendsNoSecondPacket) {
  ResolverLoop run;
  UdpRelay counting(run.loop(), nsd().spec());
  ASSERT_EQ(run.start(options_for({counting.spec()}, milliseconds(2000), 2)), std::nullopt);
  const DnsAnswer first = run.ask("mx-c.relayaudit.test", kDnsTypeA);
  ASSERT_EQ(first.status, DnsStatus::ok) << first.reason;
  EXPECT_EQ(counting.queries(), 1);
  const DnsAnswer second = run.ask("MX-C.relayaudit.test.", kDnsTypeA);
  EXPECT_EQ(counting.queries(), 1);  // the server saw one packet in all
  EXPECT_EQ(second.status, DnsStatus::ok);
  EXPECT_EQ(sorted_texts(second), sorted_texts(first));
  EXPECT_EQ(run.resolver().stats().cache_hits, 1u);
  // NXDOMAIN is the server's word too: cached.
  run.ask("nope.relayaudit.test", kDnsTypeA);
  EXPECT_EQ(run.ask("nope.relayaudit.test", kDnsTypeA).status, DnsStatus::nxdomain);
  EXPECT_EQ(counting.queries(), 2);
  // Another type is another question.
  run.ask("mx-c.relayaudit.test", kDnsTypeAaaa);
  EXPECT_EQ(counting.queries(), 3);
}

TEST_F(TransportTest, IdenticalQueriesInFlightShareOnePacket) {
  ResolverLoop run;
  UdpRelay counting(run.loop(), nsd().spec());
  ASSERT_EQ(run.start(options_for({counting.spec()}, milliseconds(2000), 2)), std::nullopt);
  int answered = 0;
  for (int i = 0; i < 5; ++i) {
    run.resolver().query("mx-a.relayaudit.test", kDnsTypeA, [&](DnsAnswer answer) {
      EXPECT_EQ(answer.status, DnsStatus::ok) << answer.reason;
      ++answered;
    });
  }
  EXPECT_EQ(answered, 0) << "callbacks never run inside query()";
  ASSERT_TRUE(run.run_until([&] { return answered == 5; }));
  EXPECT_EQ(counting.queries(), 1);
  EXPECT_EQ(run.resolver().stats().coalesced, 4u);
}

// 1,000 distinct names (a wildcard answers each) queried at once.
void run_thousand(ResolverLoop& run, std::size_t cap) {
  int ok = 0;
  int failed = 0;
  std::string first_failure;
  for (int i = 0; i < 1000; ++i) {
    run.resolver().query("host" + std::to_string(i) + ".wild.relayaudit.test", kDnsTypeA,
                         [&](DnsAnswer answer) {
                           if (answer.status == DnsStatus::ok && answer.records.size() == 1) {
                             ++ok;
                           } else {
                             if (failed++ == 0) first_failure = answer.reason;
                           }
                         });
  }
  EXPECT_EQ(run.resolver().stats().in_flight, std::min<std::size_t>(cap, 1000));
  ASSERT_TRUE(run.run_until([&] { return ok + failed == 1000; }, std::chrono::seconds(60)));
  EXPECT_EQ(ok, 1000) << failed << " failed, first: " << first_failure;
  EXPECT_EQ(run.resolver().stats().questions, 1000u);
  EXPECT_LE(run.resolver().stats().peak_in_flight, cap);
  EXPECT_EQ(run.resolver().stats().in_flight, 0u);
}

TEST_F(TransportTest, ThousandConcurrentQueriesWithTheDefaultCap) {
  ResolverLoop run(local_options());
  run_thousand(run, 1000);
  EXPECT_EQ(run.resolver().stats().peak_in_flight, 1000u);
}

TEST_F(TransportTest, InFlightCapQueuesTheRest) {
  DnsResolverOptions options = local_options();
  options.max_in_flight = 50;
  ResolverLoop run(options);
  run_thousand(run, 50);
  EXPECT_EQ(run.resolver().stats().peak_in_flight, 50u);
}

TEST_F(TransportTest, CloseCancelsPendingAndQueuedQueries) {
  ResolverLoop run;
  UdpRelay silent(run.loop());
  DnsResolverOptions options = options_for({silent.spec()}, milliseconds(5000), 2);
  options.max_in_flight = 2;
  ASSERT_EQ(run.start(options), std::nullopt);
  std::vector<DnsAnswer> answers;
  for (int i = 0; i < 4; ++i) {
    run.resolver().query("q" + std::to_string(i) + ".relayaudit.test", kDnsTypeA,
                         [&](DnsAnswer answer) { answers.push_back(std::move(answer)); });
  }
  run.run_until([&] { return silent.queries() == 2; }, milliseconds(2000));
  bool closed = false;
  run.resolver().close([&] { closed = true; });
  EXPECT_TRUE(answers.empty()) << "cancellations arrive on the loop, not inside close()";
  ASSERT_TRUE(run.run_until([&] { return closed; }, milliseconds(2000)));
  ASSERT_EQ(answers.size(), 4u);
  for (const auto& answer : answers) {
    EXPECT_EQ(answer.status, DnsStatus::cancelled);
    EXPECT_NE(answer.reason.find(" A: the resolver was closed"), std::string::npos)
        << answer.reason;
  }
  // A query after close is cancelled too.
  DnsAnswer late;
  run.resolver().query("late.relayaudit.test", kDnsTypeA, [&](DnsAnswer a) { late = a; });
  EXPECT_EQ(late.status, DnsStatus::cancelled);
  silent.close();
  EXPECT_EQ(run.shut_down(), 0);
}

TEST_F(TransportTest, DestroyedWithoutCloseLeavesNoHandle) {
  uv_loop_t loop;
  uv_loop_init(&loop);
  bool called = false;
  {
    DnsResolver resolver(&loop, local_options());
    ASSERT_EQ(resolver.start(), std::nullopt);
    resolver.query("mx-a.relayaudit.test", kDnsTypeA, [&](DnsAnswer) { called = true; });
    uv_run(&loop, UV_RUN_NOWAIT);
  }
  uv_run(&loop, UV_RUN_DEFAULT);
  EXPECT_FALSE(called) << "callbacks of a destroyed resolver are dropped";
  EXPECT_EQ(uv_loop_close(&loop), 0);
}

TEST_F(TransportTest, ClosingAnIdleResolverCompletesOnTheLoop) {
  ResolverLoop run(local_options());
  EXPECT_EQ(run.shut_down(), 0);
}

}  // namespace
}  // namespace relayaudit::testing
