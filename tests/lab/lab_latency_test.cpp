// --latency: every byte a gateway sends arrives a network latency later, in order, and a
// pipelined batch costs one latency, not one per command.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "lab_client.hpp"
#include "lab_runner.hpp"
#include "tls/tls_engine.hpp"

namespace relayaudit::testing {
namespace {

using Clock = std::chrono::steady_clock;

// Large enough that loopback and a loaded machine are noise beside it.
constexpr std::chrono::milliseconds kLatency{300};

LabOptions with_latency() {
  LabOptions options;
  options.latency = kLatency;
  return options;
}

TEST(LabLatency, BannerAndRepliesOfTheBenchmarkFleetArriveNoEarlierThanTheLatency) {
  LabRunner lab(benchmark_lab_fleet(2), with_latency());
  const auto connected = Clock::now();
  LabClient closed(lab.gateway(0));
  LabClient open(lab.gateway(1));
  EXPECT_EQ(closed.read_reply().last(), "220 closed-1.lab.relayaudit.test ESMTP relayaudit-lab");
  EXPECT_EQ(open.read_reply().code, 220);
  EXPECT_GE(Clock::now() - connected, kLatency);

  const auto sent = Clock::now();
  EXPECT_EQ(open.command("EHLO scanner.example").code, 250);
  EXPECT_GE(Clock::now() - sent, kLatency);
}

TEST(LabLatency, APipelinedBatchIsAnsweredOneLatencyAfterItWasSentNotOnePerCommand) {
  LabRunner lab({LabGatewayConfig{LabProfile::closed, "127.0.0.1", 0}}, with_latency());
  LabClient client(lab.gateway());
  ASSERT_EQ(client.read_reply().code, 220);
  const auto sent = Clock::now();
  ASSERT_TRUE(
      client.send("EHLO scanner.example\r\nMAIL FROM:<>\r\nRCPT TO:<relay@external.example>\r\n"
                  "RCPT TO:<postmaster>\r\nRSET\r\n"));
  EXPECT_EQ(client.read_reply().code, 250);
  const auto first = Clock::now();
  EXPECT_GE(first - sent, kLatency);
  EXPECT_EQ(client.read_reply().last(), "250 2.1.0 Ok");
  EXPECT_EQ(client.read_reply().last(), "554 5.7.1 <relay@external.example>: Relay access denied");
  EXPECT_EQ(client.read_reply().last(), "250 2.1.5 Ok");
  EXPECT_EQ(client.read_reply().last(), "250 2.0.0 Ok");
  // A slow server instead of a long path would answer the 5th reply 4 latencies after the 1st.
  EXPECT_LT(Clock::now() - first, 2 * kLatency);
  EXPECT_EQ(lab.stats().max_commands_per_read, 5u) << "the five commands were one batch";
}

// Runs the handshake over the blocking client; false if it fails or the lab stops answering.
bool handshake(LabClient& client, TlsEngine& tls) {
  TlsEngine::Output out = tls.start();
  while (client.send(out.ciphertext) && !tls.established() && out.error.empty()) {
    const std::string records = client.read_some();
    if (records.empty()) return false;
    out = tls.receive(records);
  }
  return tls.established();
}

// True once `text` ends with a complete line whose code is followed by a space.
bool ends_with_final_line(const std::string& text) {
  if (text.size() < 2 || text.compare(text.size() - 2, 2, "\r\n") != 0) return false;
  const std::size_t before =
      text.size() > 2 ? text.rfind('\n', text.size() - 3) : std::string::npos;
  const std::size_t line = before == std::string::npos ? 0 : before + 1;
  return text.size() - line > 4 && text[line + 3] == ' ';
}

// The plaintext reply to `line` sent inside TLS, up to its final line.
std::string command_in_tls(LabClient& client, TlsEngine& tls, const std::string& line) {
  if (!client.send(tls.send(line + "\r\n").ciphertext)) return {};
  std::string reply;
  while (!ends_with_final_line(reply)) {
    const std::string records = client.read_some();
    if (records.empty()) return reply;
    TlsEngine::Output out = tls.receive(records);
    if (!out.error.empty()) return reply;
    reply += out.plaintext;
  }
  return reply;
}

TEST(LabLatency, StarttlsTheHandshakeAndRepliesInsideTlsAreDelayedToo) {
  LabRunner lab({LabGatewayConfig{LabProfile::starttls_offered, "127.0.0.1", 0}}, with_latency());
  LabClient client(lab.gateway());
  ASSERT_EQ(client.read_reply().code, 220);
  auto sent = Clock::now();
  ASSERT_EQ(client.command("STARTTLS").last(), "220 2.0.0 Ready to start TLS");
  EXPECT_GE(Clock::now() - sent, kLatency);

  const TlsContext context = std::get<TlsContext>(TlsContext::client());
  TlsEngine tls(context, TlsEngine::Role::client);
  sent = Clock::now();
  ASSERT_TRUE(handshake(client, tls));
  EXPECT_GE(Clock::now() - sent, kLatency) << "the server's flight crossed the path too";

  sent = Clock::now();
  const std::string ehlo = command_in_tls(client, tls, "EHLO scanner.example");
  EXPECT_GE(Clock::now() - sent, kLatency);
  EXPECT_EQ(ehlo.substr(0, 4), "250-");
  EXPECT_NE(ehlo.find("250 SMTPUTF8\r\n"), std::string::npos) << ehlo;
  EXPECT_EQ(lab.stats().tls_sessions, 1u);
}

}  // namespace
}  // namespace relayaudit::testing
