// The lab's connection cap: past 4096 open sessions it accepts and closes at once.
#include <gtest/gtest.h>

#include <sys/resource.h>

#include <memory>
#include <vector>

#include "lab_client.hpp"
#include "lab_runner.hpp"

namespace relayaudit::testing {
namespace {

TEST(LabLimits, ConnectionsPastTheCapAreClosedAtOnce) {
  constexpr int kCap = 4096;
  constexpr int kExtra = 50;
  rlimit files{};
  // Both ends live in this process: two descriptors per connection, plus some slack.
  if (getrlimit(RLIMIT_NOFILE, &files) != 0 || files.rlim_cur < 2 * (kCap + kExtra) + 256) {
    GTEST_SKIP() << "needs a descriptor limit of " << 2 * (kCap + kExtra) + 256;
  }
  LabRunner lab(benchmark_lab_fleet(4));
  std::vector<std::unique_ptr<LabClient>> clients;
  for (int i = 0; i < kCap + kExtra; ++i) {
    clients.push_back(std::make_unique<LabClient>(lab.gateway(i % 4)));
  }
  int greeted = 0;
  int closed = 0;
  for (auto& client : clients) {
    if (client->read_reply().code == 220) {
      ++greeted;
    } else if (!client->timed_out()) {
      ++closed;
    }
  }
  EXPECT_EQ(greeted, kCap);
  EXPECT_EQ(closed, kExtra);
  LabRunner::Stopped stopped = lab.stop();
  EXPECT_EQ(stopped.stats.connections, static_cast<std::uint64_t>(kCap + kExtra));
  EXPECT_EQ(stopped.loop_close, 0);
}

}  // namespace
}  // namespace relayaudit::testing
