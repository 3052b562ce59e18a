// The DNS tests' loop, nsd policy and UDP relay.
#include "dns_harness.hpp"

#include <algorithm>
#include <cstring>
#include <unordered_map>

namespace relayaudit::testing {

void NsdAvailableTest::SetUp() {
  const std::string reason = nsd_unavailable_reason();
  if (!reason.empty()) {
    if (nsd_required()) FAIL() << "RELAYAUDIT_REQUIRE_NSD=1 but " << reason;
    GTEST_SKIP() << reason;
  }
}

std::unique_ptr<NsdServer> NsdAvailableTest::serve_zone(const std::string& name,
                                                        const std::string& text) {
  const std::string file = make_temp_dir() + "/" + name + ".zone";
  write_file(file, text);
  auto server = std::make_unique<NsdServer>(std::vector<NsdZone>{{name, file}});
  if (server->running()) return server;
  ADD_FAILURE() << server->error();
  return nullptr;
}

void NsdTest::SetUp() {
  NsdAvailableTest::SetUp();
  if (IsSkipped() || HasFatalFailure()) return;
  ASSERT_TRUE(shared_nsd().running()) << shared_nsd().error();
}

DnsResolverOptions NsdTest::local_options() const {
  DnsResolverOptions options;
  options.servers = {shared_nsd().spec()};
  options.resolv_conf = "/nonexistent";  // never the machine's resolver
  return options;
}

ResolverLoop::ResolverLoop() {
  uv_loop_init(&loop_);
}

ResolverLoop::ResolverLoop(DnsResolverOptions options) : ResolverLoop() {
  start(std::move(options));
}

std::optional<std::string> ResolverLoop::start(DnsResolverOptions options) {
  resolver_ = std::make_unique<DnsResolver>(&loop_, std::move(options));
  start_error_ = resolver_->start();
  return start_error_;
}

ResolverLoop::~ResolverLoop() {
  EXPECT_EQ(shut_down(), 0) << "a libuv handle was left open";
}

bool ResolverLoop::run_until(const std::function<bool()>& done, std::chrono::milliseconds limit) {
  // A ticking timer wakes the loop so the deadline is checked even when nothing happens.
  uv_timer_t tick;
  uv_timer_init(&loop_, &tick);
  uv_timer_start(
      &tick, [](uv_timer_t*) {}, 10, 10);
  const auto deadline = std::chrono::steady_clock::now() + limit;
  bool finished = done();
  while (!finished && std::chrono::steady_clock::now() < deadline) {
    uv_run(&loop_, UV_RUN_ONCE);
    finished = done();
  }
  uv_close(reinterpret_cast<uv_handle_t*>(&tick), nullptr);
  uv_run(&loop_, UV_RUN_NOWAIT);
  return finished;
}

DnsAnswer ResolverLoop::ask(const std::string& name, std::uint16_t type,
                            std::chrono::milliseconds limit) {
  auto answer = std::make_shared<std::optional<DnsAnswer>>();
  resolver_->query(name, type, [answer](DnsAnswer value) { *answer = std::move(value); });
  if (!run_until([&] { return answer->has_value(); }, limit)) {
    return DnsAnswer{DnsStatus::cancelled, "the test's deadline passed", {}, {}, false};
  }
  return std::move(**answer);
}

int ResolverLoop::shut_down() {
  if (shut_) return close_result_;
  shut_ = true;
  if (resolver_) {
    bool closed = false;
    resolver_->close([&closed] { closed = true; });
    run_until([&] { return closed; }, std::chrono::seconds(10));
    EXPECT_TRUE(closed) << "the resolver's close callback never ran";
  }
  uv_run(&loop_, UV_RUN_DEFAULT);
  resolver_.reset();
  close_result_ = uv_loop_close(&loop_);
  return close_result_;
}

struct UdpRelay::Impl {
  UdpRelay* owner = nullptr;
  uv_udp_t front{};  // where the resolver sends
  uv_udp_t back{};   // toward the real server
  bool forwarding = false;
  sockaddr_in upstream{};
  std::unordered_map<std::uint16_t, sockaddr_storage> clients;  // by DNS id
  char buffer[65536];
  int open = 0;
};

namespace {

void relay_alloc(uv_handle_t* handle, std::size_t, uv_buf_t* buf) {
  auto* impl = static_cast<UdpRelay::Impl*>(handle->data);
  *buf = uv_buf_init(impl->buffer, sizeof(impl->buffer));
}

void relay_send(uv_udp_t* socket, const char* data, std::size_t size, const sockaddr* to) {
  uv_buf_t buf = uv_buf_init(const_cast<char*>(data), static_cast<unsigned>(size));
  uv_udp_try_send(socket, &buf, 1, to);
}

}  // namespace

UdpRelay::UdpRelay(uv_loop_t* loop, std::string upstream_spec) : impl_(std::make_unique<Impl>()) {
  impl_->owner = this;
  uv_udp_init(loop, &impl_->front);
  uv_udp_init(loop, &impl_->back);
  impl_->front.data = impl_.get();
  impl_->back.data = impl_.get();
  sockaddr_in any{};
  uv_ip4_addr("127.0.0.1", 0, &any);
  uv_udp_bind(&impl_->front, reinterpret_cast<const sockaddr*>(&any), 0);
  uv_udp_bind(&impl_->back, reinterpret_cast<const sockaddr*>(&any), 0);
  if (!upstream_spec.empty()) {
    const auto colon = upstream_spec.rfind(':');
    uv_ip4_addr(upstream_spec.substr(0, colon).c_str(), std::stoi(upstream_spec.substr(colon + 1)),
                &impl_->upstream);
    impl_->forwarding = true;
  }
  uv_udp_recv_start(
      &impl_->front, relay_alloc,
      [](uv_udp_t* handle, ssize_t nread, const uv_buf_t* buf, const sockaddr* from, unsigned) {
        auto* impl = static_cast<Impl*>(handle->data);
        if (nread < 2 || from == nullptr) return;
        ++impl->owner->queries_;
        if (!impl->forwarding) return;
        const auto id = static_cast<std::uint16_t>(static_cast<unsigned char>(buf->base[0]) << 8 |
                                                   static_cast<unsigned char>(buf->base[1]));
        std::memcpy(&impl->clients[id], from, sizeof(sockaddr_in6));
        relay_send(&impl->back, buf->base, static_cast<std::size_t>(nread),
                   reinterpret_cast<const sockaddr*>(&impl->upstream));
      });
  uv_udp_recv_start(
      &impl_->back, relay_alloc,
      [](uv_udp_t* handle, ssize_t nread, const uv_buf_t* buf, const sockaddr* from, unsigned) {
        auto* impl = static_cast<Impl*>(handle->data);
        if (nread < 2 || from == nullptr) return;
        const auto id = static_cast<std::uint16_t>(static_cast<unsigned char>(buf->base[0]) << 8 |
                                                   static_cast<unsigned char>(buf->base[1]));
        auto client = impl->clients.find(id);
        if (client == impl->clients.end()) return;
        relay_send(&impl->front, buf->base, static_cast<std::size_t>(nread),
                   reinterpret_cast<const sockaddr*>(&client->second));
        impl->clients.erase(client);
      });
}

UdpRelay::~UdpRelay() {
  close();
}

void UdpRelay::close() {
  if (!impl_) return;
  // The handles outlive this object until their close callbacks: the last one frees them.
  Impl* impl = impl_.release();
  impl->open = 2;
  auto closed = [](uv_handle_t* handle) {
    auto* owner = static_cast<Impl*>(handle->data);
    if (--owner->open == 0) delete owner;
  };
  uv_close(reinterpret_cast<uv_handle_t*>(&impl->front), closed);
  uv_close(reinterpret_cast<uv_handle_t*>(&impl->back), closed);
}

std::string UdpRelay::spec() const {
  sockaddr_in address{};
  int length = sizeof(address);
  uv_udp_getsockname(&impl_->front, reinterpret_cast<sockaddr*>(&address), &length);
  return "127.0.0.1:" + std::to_string(ntohs(address.sin_port));
}

std::vector<std::string> sorted_texts(const DnsAnswer& answer) {
  std::vector<std::string> texts;
  for (const auto& record : answer.records) texts.push_back(record.text);
  std::sort(texts.begin(), texts.end());
  return texts;
}

}  // namespace relayaudit::testing
