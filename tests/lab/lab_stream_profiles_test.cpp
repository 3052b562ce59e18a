// The broken-server profiles: silence, endless and huge greetings, a truncated close.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "lab_client.hpp"
#include "lab_runner.hpp"

namespace relayaudit::testing {
namespace {

TEST(LabStreamProfiles, SilentSendsNothing) {
  LabRunner lab(one_gateway(LabProfile::silent));
  LabClient client(lab.gateway(), std::chrono::milliseconds(300));
  ASSERT_TRUE(client.connected());
  EXPECT_EQ(client.read_some(), "");
  EXPECT_TRUE(client.timed_out());
  EXPECT_EQ(lab.stats().connections, 1u);
}

TEST(LabStreamProfiles, TruncatedCloseSendsAPartialLineThenCloses) {
  LabRunner lab(one_gateway(LabProfile::truncated_close));
  LabClient client(lab.gateway());
  std::string received;
  for (std::string chunk = client.read_some(); !chunk.empty(); chunk = client.read_some()) {
    received += chunk;
  }
  EXPECT_EQ(received, "220 partial banner");
  EXPECT_FALSE(client.timed_out());
}

TEST(LabStreamProfiles, EndlessReplyNeverEndsItsGreeting) {
  LabRunner lab(one_gateway(LabProfile::endless_reply));
  LabClient client(lab.gateway());
  for (int i = 1; i <= 20000; ++i) {
    auto line = client.read_line();
    ASSERT_TRUE(line.has_value()) << "stream stopped at line " << i;
    ASSERT_EQ(*line, "220-endless-reply-1.lab.relayaudit.test still greeting " + std::to_string(i));
  }
  // The server must close even while it is streaming to a connected client.
  EXPECT_EQ(lab.stop().loop_close, 0);
}

TEST(LabStreamProfiles, AClientLeavingMidStreamIsClosedAndTheLabServesOn) {
  LabRunner lab(one_gateway(LabProfile::endless_reply));
  {
    LabClient leaving(lab.gateway());
    for (int i = 0; i < 1000; ++i) ASSERT_TRUE(leaving.read_line().has_value());
  }  // closes with unread data: a reset, then EPIPE for the lab's next write
  LabClient next(lab.gateway());
  EXPECT_EQ(next.read_line(), "220-endless-reply-1.lab.relayaudit.test still greeting 1");
  LabRunner::Stopped stopped = lab.stop();
  EXPECT_EQ(stopped.stats.connections, 2u);
  EXPECT_EQ(stopped.loop_close, 0);
}

TEST(LabStreamProfiles, HugeLineIsEightMebibytesThenCrlf) {
  LabRunner lab(one_gateway(LabProfile::huge_line));
  LabClient client(lab.gateway());
  std::string received;
  for (std::string chunk = client.read_some(); !chunk.empty(); chunk = client.read_some()) {
    received += chunk;
  }
  EXPECT_FALSE(client.timed_out());
  ASSERT_EQ(received.size(), 4u + (8u << 20) + 2u);
  EXPECT_EQ(received.substr(0, 5), "220 A");
  EXPECT_EQ(received.find_first_not_of('A', 4), received.size() - 2);
  EXPECT_EQ(received.substr(received.size() - 2), "\r\n");
}

TEST(LabStreamProfiles, InputToAStreamingProfileIsCountedNotAnswered) {
  LabRunner lab(one_gateway(LabProfile::silent));
  LabClient client(lab.gateway(), std::chrono::milliseconds(300));
  ASSERT_TRUE(client.send("EHLO early.example\r\n"));
  EXPECT_EQ(client.read_some(), "");
  EXPECT_EQ(lab.stop().stats.pregreet_violations, 1u);
}

}  // namespace
}  // namespace relayaudit::testing
