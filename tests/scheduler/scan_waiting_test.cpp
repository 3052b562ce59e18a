// What a running scan waits on, as the progress line reports it: an audit that only waits out a
// greylisting delay is counted, with the time it still has to wait.
#include <gtest/gtest.h>

#include <uv.h>

#include "lab/lab_server.hpp"
#include "scheduler/scan_runner.hpp"
#include "support/lab_audit.hpp"

namespace relayaudit {
namespace {

struct Sample {
  ScanRunner* runner = nullptr;
  ScanRunner::Waiting seen;
};

TEST(ScanWaiting, AGreylistedEndpointIsCountedWithTheWaitLeft) {
  uv_loop_t loop;
  uv_loop_init(&loop);
  Sample sample;
  bool finished = false;
  {
    LabOptions lab_options;
    lab_options.greylist_window = Millis(1500);
    LabServer lab(&loop, lab_options);
    ASSERT_FALSE(lab.start({LabGatewayConfig{LabProfile::greylisting, "127.0.0.1", 0},
                            LabGatewayConfig{LabProfile::closed, "127.0.0.1", 0}}));
    ScanPlan plan;
    plan.options = testing::fast_audit_options();
    plan.options.greylist_delay = Millis(2000);
    plan.options.session.clock_origin_ms = uv_now(&loop);
    plan.scripts = testing::core_scripts();
    plan.targets =
        testing::parse_test_targets({lab.gateways()[0].target(), lab.gateways()[1].target()});
    ScanRunner runner(&loop, std::move(plan));
    sample.runner = &runner;
    // Sampled in the middle of the 2 s wait: the closed gateway is done by then.
    uv_timer_t timer{};
    uv_timer_init(&loop, &timer);
    timer.data = &sample;
    uv_timer_start(
        &timer,
        [](uv_timer_t* t) {
          auto* s = static_cast<Sample*>(t->data);
          s->seen = s->runner->waiting();
        },
        1000, 0);
    runner.on_finished([&] {
      finished = true;
      lab.close();
      uv_close(reinterpret_cast<uv_handle_t*>(&timer), nullptr);
    });
    runner.start();
    uv_run(&loop, UV_RUN_DEFAULT);
    const ScanResult result = runner.take_result();
    ASSERT_EQ(result.endpoints.size(), 2u);
    // Nothing waits once the scan is over.
    EXPECT_EQ(runner.waiting().greylisting, 0);
  }
  EXPECT_TRUE(finished);
  EXPECT_EQ(uv_loop_close(&loop), 0);
  EXPECT_EQ(sample.seen.greylisting, 1);
  // About 1 s of the 2 s wait left when sampled (a loaded machine runs the timer late).
  EXPECT_GT(sample.seen.longest_wait_ms, 0u);
  EXPECT_LE(sample.seen.longest_wait_ms, 2000u);
}

}  // namespace
}  // namespace relayaudit
