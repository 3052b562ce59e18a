// Internals of DnsResolver, shared by resolver.cpp (API, cache, CNAMEs) and dns_transport.cpp
// (UDP, TCP, timers). Not for use outside scanner/dns.
#pragma once

#include <uv.h>

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "dns/dns_message.hpp"
#include "dns/dns_server.hpp"
#include "dns/resolver.hpp"

namespace relayaudit::dns_detail {

// One question's outcome on the wire. `ok`: `response` is the server's NOERROR or NXDOMAIN
// answer; any other status is final for the question and `reason` says why.
struct ExchangeResult {
  DnsStatus status = DnsStatus::ok;
  std::string reason;
  DnsResponse response;
  bool via_tcp = false;
  std::string server;  // the server that answered, or was asked last
};
using ExchangeCallback = std::function<void(const ExchangeResult&)>;

struct Exchange;

// A UDP socket of the pool, bound to a random port; answers are matched to the query by id
// (unique per socket), source address and question.
struct UdpSocket {
  uv_udp_t handle{};
  DnsResolver::Impl* impl = nullptr;
  std::unordered_map<std::uint16_t, Exchange*> pending;
};

// A TCP connection for one truncated answer: 2-byte length framing, a bounded read buffer.
struct TcpQuery {
  uv_tcp_t handle{};
  uv_connect_t connect{};
  uv_write_t write{};
  Exchange* exchange = nullptr;  // null once the exchange no longer waits for it
  DnsResolver::Impl* impl = nullptr;
  std::vector<std::uint8_t> out;
  std::vector<std::uint8_t> in;  // 2 + 65535 bytes at most: the largest DNS message
  std::size_t filled = 0;
};

// One question (name, type) on the wire: attempts over UDP on rotating servers, TCP when an
// answer is truncated. Deleted in its timer's close callback.
struct Exchange {
  DnsResolver::Impl* impl = nullptr;
  std::string key;
  std::string name;
  std::uint16_t type = 0;
  std::vector<ExchangeCallback> waiters;
  uv_timer_t timer{};
  bool started = false;
  int attempt = 0;
  bool edns = true;
  std::uint16_t id = 0;
  const DnsServer* server = nullptr;
  UdpSocket* socket = nullptr;  // set while registered there under `id`
  TcpQuery* tcp = nullptr;
  bool via_tcp = false;
  DnsStatus last_status = DnsStatus::timeout;
  std::string last_reason;
};

std::string type_name(std::uint16_t type);

}  // namespace relayaudit::dns_detail

namespace relayaudit {

struct DnsResolver::Impl {
  Impl(uv_loop_t* loop, DnsResolverOptions options);

  uv_loop_t* loop;
  DnsResolverOptions options;
  std::vector<DnsServer> servers;
  DnsResolverStats stats;
  bool started = false;
  bool closing = false;
  bool pumping = false;
  bool orphaned = false;  // the DnsResolver is gone: delete this from the last close callback
  std::vector<std::function<void()>> on_closed;
  std::size_t open_handles = 0;

  uv_idle_t idle{};  // runs deferred callbacks
  std::deque<std::function<void()>> ready;

  std::vector<dns_detail::UdpSocket*> udp_v4;
  std::vector<dns_detail::UdpSocket*> udp_v6;
  std::vector<std::uint8_t> receive_buffer;
  std::vector<std::uint16_t> random_words;

  std::unordered_map<std::string, std::shared_ptr<const dns_detail::ExchangeResult>> cache;
  std::unordered_map<std::string, dns_detail::Exchange*> pending;  // queued or on the wire
  std::deque<dns_detail::Exchange*> queued;

  // resolver.cpp
  void defer(std::function<void()> call);
  void run_ready();
  void lookup(const std::string& name, std::uint16_t type, dns_detail::ExchangeCallback done);
  void pump();
  void finish(dns_detail::Exchange* exchange, dns_detail::ExchangeResult result);
  void cancel_all();
  void handle_closed();
  void maybe_finish_close();
  std::uint16_t random_word();

  // dns_transport.cpp
  void start_exchange(dns_detail::Exchange* exchange);
  void send_attempt(dns_detail::Exchange* exchange);
  void attempt_failed(dns_detail::Exchange* exchange, DnsStatus status, std::string reason);
  void on_response(dns_detail::Exchange* exchange, dns_detail::DnsResponse response, bool over_tcp);
  void start_tcp(dns_detail::Exchange* exchange);
  void detach_transport(dns_detail::Exchange* exchange);
  void close_udp_sockets();
  dns_detail::UdpSocket* udp_socket(bool ipv6, std::string* error);
};

}  // namespace relayaudit
