// Asynchronous DNS on a libuv loop: UDP with EDNS0, retries across servers, TCP on truncation,
// CNAME chains, a cap on questions in flight and a cache for the run.
#pragma once

#include <uv.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dns/dns_answer.hpp"

namespace relayaudit {

struct DnsResolverOptions {
  // "ip:port" / "[ipv6]:port" / bare address (port 53). Empty: the nameservers of resolv_conf.
  std::vector<std::string> servers;
  std::string resolv_conf = "/etc/resolv.conf";
  std::chrono::milliseconds timeout{2000};  // per attempt
  int retries = 2;                          // attempts after the first, each on the next server
  std::size_t max_in_flight = 1000;         // questions on the wire at once; the rest wait
  std::size_t udp_sockets = 32;             // per address family; each on a random port
  std::uint16_t udp_payload_size = 1232;    // EDNS0 payload advertised
  int max_cname_hops = 8;
};

struct DnsResolverStats {
  std::uint64_t queries = 0;      // query() calls, including CNAME re-queries
  std::uint64_t cache_hits = 0;   // answered from the run's cache, no packet sent
  std::uint64_t coalesced = 0;    // joined an identical question already on the wire
  std::uint64_t questions = 0;    // distinct questions sent to the network
  std::uint64_t udp_packets = 0;  // UDP datagrams sent (retries included)
  std::uint64_t tcp_queries = 0;  // TCP connections after a truncated answer
  std::uint64_t timeouts = 0;     // attempts that timed out
  std::size_t in_flight = 0;
  std::size_t peak_in_flight = 0;
};

// Not copied or moved: libuv handles point into it. Call close() and run the loop until its
// callback has run before destroying it (or before uv_loop_close()).
class DnsResolver {
 public:
  DnsResolver(uv_loop_t* loop, DnsResolverOptions options = {});
  ~DnsResolver();
  DnsResolver(const DnsResolver&) = delete;
  DnsResolver& operator=(const DnsResolver&) = delete;

  // Parses the servers (or reads resolv.conf); an error names the bad spec or file.
  std::optional<std::string> start();
  // The servers in use, as "ip:port" (after start()).
  std::vector<std::string> servers() const;

  // Looks up `name` (a trailing dot optional; case ignored) for `type` (kDnsType*). `done` runs
  // exactly once, always later on the loop (never inside query()), with errors as values.
  // `done` must not throw.
  void query(std::string name, std::uint16_t type, DnsAnswerCallback done);

  // Runs `call` later on the loop, in order with answers: for results known without asking.
  void post(std::function<void()> call);

  const DnsResolverStats& stats() const;

  // Cancels what is pending (each callback gets `cancelled`), closes every handle, then runs
  // `on_closed` on the loop. Calling it again adds a callback (run at once if already closed).
  void close(std::function<void()> on_closed = {});

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace relayaudit
