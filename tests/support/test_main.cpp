// GoogleTest entry point shared by every test executable.
#include <gtest/gtest.h>

#include <csignal>

int main(int argc, char** argv) {
  // As in relayaudit itself: a peer that closes must give EPIPE, not kill the process.
  std::signal(SIGPIPE, SIG_IGN);
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
