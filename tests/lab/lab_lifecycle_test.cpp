// LabServer lifecycle: start errors, IPv6, closing with live sessions and a loop left clean.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include <uv.h>

#include "lab_client.hpp"
#include "lab_runner.hpp"

namespace relayaudit::testing {
namespace {

// The libuv test pattern on the test's own thread: the loop runs here, a client thread talks,
// and after close() the loop must close with no handle left.
TEST(LabLifecycle, CloseLeavesNoHandleBehind) {
  uv_loop_t loop;
  ASSERT_EQ(uv_loop_init(&loop), 0);
  struct Closing {
    LabServer* server;
    int callbacks;
  } closing{nullptr, 0};
  int late_callbacks = 0;
  {
    LabServer server(&loop);
    closing.server = &server;
    ASSERT_FALSE(server.start({LabGatewayConfig{LabProfile::closed, "127.0.0.1", 0},
                               LabGatewayConfig{LabProfile::tarpit, "127.0.0.1", 0}}));
    ASSERT_EQ(server.gateways().size(), 2u);
    uv_async_t talked{};
    talked.data = &closing;
    uv_async_init(&loop, &talked, [](uv_async_t* async) {
      auto* state = static_cast<Closing*>(async->data);
      state->server->close([state] { ++state->callbacks; });
      uv_close(reinterpret_cast<uv_handle_t*>(async), nullptr);
    });
    std::atomic<bool> greeted{false};
    std::atomic<bool> saw_close{false};
    LabGateway closed = server.gateways()[0];
    LabGateway tarpit = server.gateways()[1];
    std::thread client_thread([&] {
      LabClient client(closed);
      LabClient waiting(tarpit);  // still waiting for its slow greeting when the lab closes
      greeted = client.read_reply().code == 220 && client.command("EHLO x.example").code == 250;
      uv_async_send(&talked);
      saw_close = client.wait_closed() && waiting.wait_closed();
    });
    uv_run(&loop, UV_RUN_DEFAULT);  // returns once the lab and the async handle are closed
    client_thread.join();
    EXPECT_TRUE(greeted);
    EXPECT_TRUE(saw_close);
    EXPECT_EQ(closing.callbacks, 1);
    server.close([&] { ++late_callbacks; });  // nothing left open: runs at once
    EXPECT_EQ(server.stats().connections, 2u);
  }
  EXPECT_EQ(closing.callbacks, 1);
  EXPECT_EQ(late_callbacks, 1);
  EXPECT_EQ(uv_loop_close(&loop), 0);
}

TEST(LabLifecycle, CloseCallbackRunsOnceAfterEveryHandle) {
  LabRunner lab({LabGatewayConfig{LabProfile::open, "127.0.0.1", 0}});
  LabClient client(lab.gateway());
  ASSERT_EQ(client.read_reply().code, 220);
  LabRunner::Stopped stopped = lab.stop();
  EXPECT_EQ(stopped.close_callbacks, 1);
  EXPECT_EQ(stopped.loop_close, 0);
  EXPECT_TRUE(client.wait_closed());
}

TEST(LabLifecycle, StartErrorNamesTheAddressAndTheReason) {
  LabRunner first({LabGatewayConfig{LabProfile::closed, "127.0.0.1", 0}});
  ASSERT_FALSE(first.start_error());
  std::uint16_t taken = first.gateway().port;
  LabRunner second({LabGatewayConfig{LabProfile::open, "127.0.0.1", taken}});
  ASSERT_TRUE(second.start_error());
  EXPECT_EQ(*second.start_error(),
            "127.0.0.1:" + std::to_string(taken) + ": address already in use");
  EXPECT_EQ(second.stop().loop_close, 0);  // the failed listener was closed, not leaked

  LabRunner bad({LabGatewayConfig{LabProfile::open, "not-an-address", 25}});
  ASSERT_TRUE(bad.start_error());
  EXPECT_EQ(*bad.start_error(), "not-an-address:25: invalid argument");
}

TEST(LabLifecycle, BindsIpv6Loopback) {
  LabRunner lab({LabGatewayConfig{LabProfile::closed, "::1", 0}});
  if (lab.start_error()) GTEST_SKIP() << "::1 cannot be bound here: " << *lab.start_error();
  const LabGateway& gateway = lab.gateway();
  EXPECT_EQ(gateway.target(), "[::1]:" + std::to_string(gateway.port));
  LabClient client(gateway);
  ASSERT_TRUE(client.connected());
  ASSERT_EQ(client.read_reply().code, 220);
  ASSERT_EQ(client.command("EHLO scanner.example").code, 250);
  ASSERT_EQ(client.command("MAIL FROM:<>").code, 250);
  EXPECT_EQ(client.command("RCPT TO:<postmaster@[IPv6:::1]>").code, 250);
  EXPECT_EQ(client.command("RCPT TO:<u@[127.0.0.1]>").code, 554);  // not this gateway's literal
}

TEST(LabLifecycle, HostNamesAndTargets) {
  LabRunner lab(benchmark_lab_fleet(4));
  ASSERT_EQ(lab.gateways().size(), 4u);
  EXPECT_EQ(lab.gateway(0).host_name, "closed-1.lab.relayaudit.test");
  EXPECT_EQ(lab.gateway(1).host_name, "open-2.lab.relayaudit.test");
  EXPECT_EQ(lab.gateway(3).profile, LabProfile::open);
  EXPECT_EQ(lab.gateway(2).target(), "127.0.0.1:" + std::to_string(lab.gateway(2).port));
  EXPECT_NE(lab.gateway(0).port, 0);
}

TEST(LabLifecycle, DestroyingWithoutCloseStillFreesEverythingOnceTheLoopRuns) {
  uv_loop_t loop;
  ASSERT_EQ(uv_loop_init(&loop), 0);
  {
    LabServer server(&loop);
    ASSERT_FALSE(server.start({LabGatewayConfig{LabProfile::closed, "127.0.0.1", 0}}));
  }  // a programming error: the server hands its handles to the loop to close
  uv_run(&loop, UV_RUN_DEFAULT);
  EXPECT_EQ(uv_loop_close(&loop), 0);
}

}  // namespace
}  // namespace relayaudit::testing
