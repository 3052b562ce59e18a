// What the DNS tests share: the nsd skip-or-fail policy, a loop that runs a resolver with a
// deadline and checks it closes clean, and a UDP relay that counts (or drops) queries.
#pragma once

#include <gtest/gtest.h>
#include <uv.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "dns/resolver.hpp"
#include "nsd_server.hpp"

namespace relayaudit {
// gtest prints statuses by name.
inline void PrintTo(DnsStatus status, std::ostream* out) {
  *out << to_string(status);
}
}  // namespace relayaudit

namespace relayaudit::testing {

// Every test of such a suite needs the shared nsd: skipped when nsd is not installed (failed
// instead when RELAYAUDIT_REQUIRE_NSD=1), failed when it is installed but does not start.
class NsdTest : public ::testing::Test {
 protected:
  void SetUp() override;
  NsdServer& nsd() { return shared_nsd(); }
  // Options that ask the shared nsd only.
  DnsResolverOptions local_options() const;
};

// A loop with one resolver on it. The destructor closes the resolver, runs the loop dry and
// expects uv_loop_close() == 0: a leaked handle fails the test.
class ResolverLoop {
 public:
  ResolverLoop();  // the loop only: start() adds the resolver
  explicit ResolverLoop(DnsResolverOptions options);
  ~ResolverLoop();
  ResolverLoop(const ResolverLoop&) = delete;
  ResolverLoop& operator=(const ResolverLoop&) = delete;

  uv_loop_t* loop() { return &loop_; }
  DnsResolver& resolver() { return *resolver_; }
  const std::optional<std::string>& start_error() const { return start_error_; }
  // Creates and starts the resolver; its start() error, if any.
  std::optional<std::string> start(DnsResolverOptions options);

  // Runs the loop until `done()` holds; false when `limit` passed first.
  bool run_until(const std::function<bool()>& done,
                 std::chrono::milliseconds limit = std::chrono::seconds(30));
  // One query, run to its answer (a `cancelled` answer with a reason if the deadline passed).
  DnsAnswer ask(const std::string& name, std::uint16_t type,
                std::chrono::milliseconds limit = std::chrono::seconds(30));
  // Closes the resolver and the loop; returns uv_loop_close()'s result. Idempotent.
  int shut_down();

 private:
  uv_loop_t loop_{};
  std::unique_ptr<DnsResolver> resolver_;
  std::optional<std::string> start_error_;
  bool shut_ = false;
  int close_result_ = 0;
};

// A UDP socket on 127.0.0.1 between the resolver and a server: counts each query it gets and
// forwards it (or, with no upstream, drops it: a server that never answers).
class UdpRelay {
 public:
  UdpRelay(uv_loop_t* loop, std::string upstream_spec = "");
  ~UdpRelay();
  UdpRelay(const UdpRelay&) = delete;
  UdpRelay& operator=(const UdpRelay&) = delete;

  std::string spec() const;  // "127.0.0.1:PORT"
  int queries() const { return queries_; }
  void close();  // before the loop is closed

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
  int queries_ = 0;
  friend struct Impl;
};

// The addresses (record text) of an answer, sorted.
std::vector<std::string> sorted_texts(const DnsAnswer& answer);

}  // namespace relayaudit::testing
