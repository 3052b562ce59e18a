// DnsResolver on the wire: UDP attempts on a pool of random-port sockets, a timer per
// question, TCP with 2-byte framing when an answer comes back truncated.
#include <algorithm>

#include "dns/resolver_impl.hpp"

namespace relayaudit {

using dns_detail::DnsResponse;
using dns_detail::Exchange;
using dns_detail::ExchangeResult;
using dns_detail::TcpQuery;
using dns_detail::UdpSocket;

namespace {

constexpr std::size_t kMaxDnsMessage = 65535;

// A datagram libuv could not send at once; owns its bytes until the send callback.
struct UdpSendRequest {
  uv_udp_send_t request{};
  std::vector<std::uint8_t> bytes;
};

std::string uv_reason(int code) {
  return uv_strerror(code);
}

bool answers_question(const DnsResponse& response, const Exchange& exchange) {
  return response.is_response && response.question_class == 1 &&
         response.question_type == exchange.type && response.question_name == exchange.name;
}

void on_udp_alloc(uv_handle_t* handle, std::size_t, uv_buf_t* buf) {
  auto& buffer = static_cast<UdpSocket*>(handle->data)->impl->receive_buffer;
  *buf = uv_buf_init(reinterpret_cast<char*>(buffer.data()), static_cast<unsigned>(buffer.size()));
}

void on_udp_read(uv_udp_t* handle, ssize_t nread, const uv_buf_t* buf, const sockaddr* from,
                 unsigned flags) {
  if (nread < 12 || from == nullptr || (flags & UV_UDP_PARTIAL) != 0) return;
  auto* socket = static_cast<UdpSocket*>(handle->data);
  const auto* data = reinterpret_cast<const std::uint8_t*>(buf->base);
  const auto id = static_cast<std::uint16_t>(data[0] << 8 | data[1]);
  const auto found = socket->pending.find(id);
  if (found == socket->pending.end()) return;  // a late answer to a finished attempt, or noise
  Exchange* exchange = found->second;
  const auto* server = reinterpret_cast<const sockaddr*>(&exchange->server->socket_address);
  if (!same_socket_address(from, server)) return;  // not from the server asked: ignore
  auto parsed = dns_detail::parse_response(data, static_cast<std::size_t>(nread));
  if (auto* error = std::get_if<std::string>(&parsed)) {
    exchange->impl->detach_transport(exchange);
    exchange->impl->attempt_failed(
        exchange, DnsStatus::malformed,
        "unparsable answer from " + exchange->server->text() + ": " + *error);
    return;
  }
  auto& response = std::get<DnsResponse>(parsed);
  if (!answers_question(response, *exchange)) return;  // same id, other question: keep waiting
  exchange->impl->detach_transport(exchange);
  exchange->impl->on_response(exchange, std::move(response), false);
}

void on_udp_sent(uv_udp_send_t* request, int) {
  // A failed send shows up as the attempt's timeout; the request only frees its bytes.
  delete reinterpret_cast<UdpSendRequest*>(request);
}

void on_udp_closed(uv_handle_t* handle) {
  auto* socket = static_cast<UdpSocket*>(handle->data);
  DnsResolver::Impl* impl = socket->impl;
  delete socket;
  impl->handle_closed();
}

void on_tcp_closed(uv_handle_t* handle) {
  auto* tcp = static_cast<TcpQuery*>(handle->data);
  DnsResolver::Impl* impl = tcp->impl;
  delete tcp;
  impl->handle_closed();
}

void on_timeout(uv_timer_t* timer) {
  auto* exchange = static_cast<Exchange*>(timer->data);
  DnsResolver::Impl* impl = exchange->impl;
  ++impl->stats.timeouts;
  const std::string transport = exchange->tcp != nullptr ? "over TCP " : "";
  impl->detach_transport(exchange);
  impl->attempt_failed(exchange, DnsStatus::timeout,
                       "no answer " + transport + "from " + exchange->server->text() + " within " +
                           std::to_string(impl->options.timeout.count()) + "ms");
}

void tcp_failed(TcpQuery* tcp, DnsStatus status, const std::string& reason) {
  Exchange* exchange = tcp->exchange;
  exchange->impl->detach_transport(exchange);
  exchange->impl->attempt_failed(exchange, status, reason);
}

void on_tcp_alloc(uv_handle_t* handle, std::size_t, uv_buf_t* buf) {
  auto* tcp = static_cast<TcpQuery*>(handle->data);
  *buf = uv_buf_init(reinterpret_cast<char*>(tcp->in.data() + tcp->filled),
                     static_cast<unsigned>(tcp->in.size() - tcp->filled));
}

void on_tcp_read(uv_stream_t* stream, ssize_t nread, const uv_buf_t*) {
  auto* tcp = static_cast<TcpQuery*>(stream->data);
  if (tcp->exchange == nullptr || nread == 0) return;
  Exchange* exchange = tcp->exchange;
  const std::string server = exchange->server->text();
  if (nread < 0) {
    tcp_failed(tcp, DnsStatus::network_error,
               nread == UV_EOF ? "TCP connection to " + server + " closed before the whole answer"
                               : "TCP read from " + server + ": " + uv_reason(nread));
    return;
  }
  tcp->filled += static_cast<std::size_t>(nread);
  if (tcp->filled < 2) return;
  const std::size_t length = static_cast<std::size_t>(tcp->in[0]) << 8 | tcp->in[1];
  if (tcp->filled < 2 + length) return;
  auto parsed = dns_detail::parse_response(tcp->in.data() + 2, length);
  if (auto* error = std::get_if<std::string>(&parsed)) {
    tcp_failed(tcp, DnsStatus::malformed, "unparsable TCP answer from " + server + ": " + *error);
    return;
  }
  auto& response = std::get<DnsResponse>(parsed);
  if (response.id != exchange->id || !answers_question(response, *exchange)) {
    tcp_failed(tcp, DnsStatus::malformed, "TCP answer from " + server + " is for another question");
    return;
  }
  exchange->impl->detach_transport(exchange);
  exchange->impl->on_response(exchange, std::move(response), true);
}

void on_tcp_written(uv_write_t* request, int status) {
  auto* tcp = static_cast<TcpQuery*>(request->handle->data);
  if (tcp->exchange == nullptr || status == 0) return;
  tcp_failed(tcp, DnsStatus::network_error,
             "TCP write to " + tcp->exchange->server->text() + ": " + uv_reason(status));
}

void on_tcp_connected(uv_connect_t* request, int status) {
  auto* tcp = static_cast<TcpQuery*>(request->handle->data);
  if (tcp->exchange == nullptr) return;  // closed meanwhile (UV_ECANCELED)
  const std::string server = tcp->exchange->server->text();
  if (status < 0) {
    tcp_failed(tcp, DnsStatus::network_error,
               "TCP connect to " + server + ": " + uv_reason(status));
    return;
  }
  auto* stream = reinterpret_cast<uv_stream_t*>(&tcp->handle);
  uv_buf_t buf =
      uv_buf_init(reinterpret_cast<char*>(tcp->out.data()), static_cast<unsigned>(tcp->out.size()));
  int rc = uv_write(&tcp->write, stream, &buf, 1, on_tcp_written);
  if (rc == 0) rc = uv_read_start(stream, on_tcp_alloc, on_tcp_read);
  if (rc < 0) tcp_failed(tcp, DnsStatus::network_error, "TCP to " + server + ": " + uv_reason(rc));
}

}  // namespace

UdpSocket* DnsResolver::Impl::udp_socket(bool ipv6, std::string* error) {
  auto& pool = ipv6 ? udp_v6 : udp_v4;
  if (pool.empty()) pool.assign(std::max<std::size_t>(1, options.udp_sockets), nullptr);
  UdpSocket*& slot = pool[random_word() % pool.size()];
  if (slot != nullptr) return slot;

  auto* socket = new UdpSocket;
  socket->impl = this;
  socket->handle.data = socket;
  int rc = uv_udp_init(loop, &socket->handle);
  if (rc < 0) {
    delete socket;
    *error = std::string("cannot create a UDP socket: ") + uv_strerror(rc);
    return nullptr;
  }
  ++open_handles;
  // Port 0: the kernel picks a random ephemeral port for each socket of the pool.
  sockaddr_storage any{};
  if (ipv6) {
    uv_ip6_addr("::", 0, reinterpret_cast<sockaddr_in6*>(&any));
  } else {
    uv_ip4_addr("0.0.0.0", 0, reinterpret_cast<sockaddr_in*>(&any));
  }
  rc = uv_udp_bind(&socket->handle, reinterpret_cast<const sockaddr*>(&any),
                   ipv6 ? UV_UDP_IPV6ONLY : 0);
  if (rc == 0) rc = uv_udp_recv_start(&socket->handle, on_udp_alloc, on_udp_read);
  if (rc < 0) {
    *error = std::string("cannot bind a UDP socket: ") + uv_strerror(rc);
    uv_close(reinterpret_cast<uv_handle_t*>(&socket->handle), on_udp_closed);
    return nullptr;
  }
  slot = socket;
  return socket;
}

void DnsResolver::Impl::close_udp_sockets() {
  for (auto* pool : {&udp_v4, &udp_v6}) {
    for (UdpSocket*& socket : *pool) {
      if (socket == nullptr) continue;
      socket->pending.clear();
      uv_close(reinterpret_cast<uv_handle_t*>(&socket->handle), on_udp_closed);
      socket = nullptr;
    }
  }
}

void DnsResolver::Impl::start_exchange(Exchange* exchange) {
  exchange->started = true;
  ++stats.questions;
  ++stats.in_flight;
  stats.peak_in_flight = std::max(stats.peak_in_flight, stats.in_flight);
  uv_timer_init(loop, &exchange->timer);  // cannot fail
  exchange->timer.data = exchange;
  ++open_handles;
  send_attempt(exchange);
}

void DnsResolver::Impl::send_attempt(Exchange* exchange) {
  exchange->server = &servers[static_cast<std::size_t>(exchange->attempt) % servers.size()];
  std::string error;
  UdpSocket* socket = udp_socket(exchange->server->ipv6, &error);
  if (socket == nullptr) {
    attempt_failed(exchange, DnsStatus::network_error, error);
    return;
  }
  std::uint16_t id = random_word();
  while (socket->pending.count(id) != 0) id = random_word();
  auto wire = dns_detail::build_query(exchange->name, exchange->type, id, exchange->edns,
                                      options.udp_payload_size);
  if (auto* problem = std::get_if<std::string>(&wire)) {
    finish(exchange, ExchangeResult{DnsStatus::malformed, *problem, {}, false, {}});
    return;
  }
  auto& bytes = std::get<std::vector<std::uint8_t>>(wire);
  exchange->id = id;
  exchange->socket = socket;
  socket->pending[id] = exchange;
  uv_timer_start(&exchange->timer, on_timeout, static_cast<std::uint64_t>(options.timeout.count()),
                 0);
  ++stats.udp_packets;
  const auto* target = reinterpret_cast<const sockaddr*>(&exchange->server->socket_address);
  uv_buf_t buf =
      uv_buf_init(reinterpret_cast<char*>(bytes.data()), static_cast<unsigned>(bytes.size()));
  int rc = uv_udp_try_send(&socket->handle, &buf, 1, target);
  if (rc == UV_EAGAIN) {
    auto* request = new UdpSendRequest;
    request->bytes = std::move(bytes);
    buf = uv_buf_init(reinterpret_cast<char*>(request->bytes.data()),
                      static_cast<unsigned>(request->bytes.size()));
    rc = uv_udp_send(&request->request, &socket->handle, &buf, 1, target, on_udp_sent);
    if (rc < 0) delete request;
  }
  if (rc < 0) {
    detach_transport(exchange);
    attempt_failed(exchange, DnsStatus::network_error,
                   "send to " + exchange->server->text() + ": " + uv_reason(rc));
  }
}

void DnsResolver::Impl::attempt_failed(Exchange* exchange, DnsStatus status, std::string reason) {
  uv_timer_stop(&exchange->timer);
  exchange->last_status = status;
  exchange->last_reason = std::move(reason);
  if (exchange->attempt < options.retries) {
    ++exchange->attempt;
    send_attempt(exchange);
    return;
  }
  const int attempts = exchange->attempt + 1;
  std::string reason_text = exchange->last_reason;
  if (attempts > 1) reason_text += " (" + std::to_string(attempts) + " attempts)";
  finish(exchange, ExchangeResult{exchange->last_status, std::move(reason_text), {}, false, {}});
}

void DnsResolver::Impl::on_response(Exchange* exchange, DnsResponse response, bool over_tcp) {
  uv_timer_stop(&exchange->timer);
  const std::string server = exchange->server->text();
  if (response.truncated && !over_tcp) {
    start_tcp(exchange);
    return;
  }
  switch (response.rcode) {
    case dns_detail::kRcodeNoError:
    case dns_detail::kRcodeNxDomain:
      finish(exchange, ExchangeResult{DnsStatus::ok, {}, std::move(response), over_tcp, server});
      return;
    case dns_detail::kRcodeFormErr:
      if (exchange->edns) {  // an old server that does not know EDNS0: ask again without it
        exchange->edns = false;
        send_attempt(exchange);
        return;
      }
      break;
    case dns_detail::kRcodeServFail:
    case dns_detail::kRcodeRefused: {
      const bool refused = response.rcode == dns_detail::kRcodeRefused;
      const DnsStatus status = refused ? DnsStatus::refused : DnsStatus::servfail;
      std::string reason =
          refused ? server + " refused the query (REFUSED)" : server + " answered SERVFAIL";
      // Another server may know better; with one server, asking again will not help.
      if (servers.size() > 1) {
        attempt_failed(exchange, status, std::move(reason));
      } else {
        finish(exchange, ExchangeResult{status, std::move(reason), {}, over_tcp, server});
      }
      return;
    }
    default:
      break;
  }
  finish(exchange, ExchangeResult{DnsStatus::servfail,
                                  server + " answered " + dns_detail::rcode_name(response.rcode),
                                  {},
                                  over_tcp,
                                  server});
}

void DnsResolver::Impl::start_tcp(Exchange* exchange) {
  ++stats.tcp_queries;
  exchange->via_tcp = true;
  exchange->id = random_word();
  auto wire = dns_detail::build_query(exchange->name, exchange->type, exchange->id, exchange->edns,
                                      options.udp_payload_size);
  if (auto* problem = std::get_if<std::string>(&wire)) {
    finish(exchange, ExchangeResult{DnsStatus::malformed, *problem, {}, true, {}});
    return;
  }
  const auto& bytes = std::get<std::vector<std::uint8_t>>(wire);
  auto* tcp = new TcpQuery;
  tcp->impl = this;
  tcp->handle.data = tcp;
  tcp->out.reserve(bytes.size() + 2);
  tcp->out.push_back(static_cast<std::uint8_t>(bytes.size() >> 8));
  tcp->out.push_back(static_cast<std::uint8_t>(bytes.size() & 0xff));
  tcp->out.insert(tcp->out.end(), bytes.begin(), bytes.end());
  tcp->in.resize(2 + kMaxDnsMessage);
  int rc = uv_tcp_init(loop, &tcp->handle);
  if (rc < 0) {
    delete tcp;
    attempt_failed(exchange, DnsStatus::network_error,
                   std::string("cannot create a TCP socket: ") + uv_strerror(rc));
    return;
  }
  ++open_handles;
  tcp->exchange = exchange;
  exchange->tcp = tcp;
  uv_timer_start(&exchange->timer, on_timeout, static_cast<std::uint64_t>(options.timeout.count()),
                 0);
  const auto* target = reinterpret_cast<const sockaddr*>(&exchange->server->socket_address);
  rc = uv_tcp_connect(&tcp->connect, &tcp->handle, target, on_tcp_connected);
  if (rc < 0) {
    detach_transport(exchange);
    attempt_failed(exchange, DnsStatus::network_error,
                   "TCP connect to " + exchange->server->text() + ": " + uv_reason(rc));
  }
}

void DnsResolver::Impl::detach_transport(Exchange* exchange) {
  if (exchange->socket != nullptr) {
    auto found = exchange->socket->pending.find(exchange->id);
    if (found != exchange->socket->pending.end() && found->second == exchange) {
      exchange->socket->pending.erase(found);
    }
    exchange->socket = nullptr;
  }
  if (exchange->tcp != nullptr) {
    TcpQuery* tcp = exchange->tcp;
    tcp->exchange = nullptr;
    exchange->tcp = nullptr;
    auto* handle = reinterpret_cast<uv_handle_t*>(&tcp->handle);
    if (!uv_is_closing(handle)) uv_close(handle, on_tcp_closed);
  }
}

}  // namespace relayaudit
