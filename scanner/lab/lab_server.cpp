// LabServer: one listener per gateway on a shared loop, the live connections, and orderly close.
//
// Lifetime rule: call close() and run the loop until its callback has run before destroying a
// LabServer. libuv frees handles only through close callbacks, so a server destroyed with open
// handles cannot free them on the spot; it then closes them and hands its state to the loop,
// which frees it once the last close callback has run (a leak only if the loop never runs).
#include "lab/lab_server.hpp"

#include <array>
#include <map>
#include <unordered_set>

#include <spdlog/spdlog.h>

#include "lab/gateway_context.hpp"
#include "lab/greylist.hpp"
#include "lab/lab_certificates.hpp"
#include "lab/lab_connection.hpp"
#include "lab/lab_endpoint.hpp"
#include "lab/tls_hostility.hpp"
#include "tls/tls_credentials.hpp"

namespace relayaudit {

namespace {

std::vector<std::string> domains_served_at(const LabOptions& options, const std::string& address) {
  const auto found = options.mail_domains.find(address);
  return found == options.mail_domains.end() ? std::vector<std::string>{} : found->second;
}

constexpr std::size_t kMaxConnections = 4096;
constexpr int kListenBacklog = 1024;
constexpr std::string_view kHostSuffix = ".lab.relayaudit.test";

}  // namespace

struct LabServer::Impl final : ConnectionOwner {
  struct Listener {
    Listener() = default;
    Listener(const Listener&) = delete;  // libuv holds its address
    Listener& operator=(const Listener&) = delete;

    uv_tcp_t tcp{};
    Impl* server = nullptr;
    GatewayContext* gateway = nullptr;  // null until the listener is bound and listening
  };

  Impl(uv_loop_t* loop_in, LabOptions options_in) : loop(loop_in), options(options_in) {}
  Impl(const Impl&) = delete;  // handles and sessions point at it
  Impl& operator=(const Impl&) = delete;

  std::optional<std::string> listen_on(const LabGatewayConfig& config);
  std::optional<std::string> make_tls_context();
  // The ordinary context, or the one a TLS profile needs (made on first use); null on failure.
  const TlsContext* tls_for(LabProfile profile);
  std::optional<std::string> make_own_tls_context(LabProfile profile);
  void accept_one(Listener& listener);
  void close_listener(Listener* listener);
  void close_all();
  void maybe_closed();
  bool has_handles() const { return !listeners.empty() || !connections.empty(); }

  void connection_closed(LabConnection& connection) override {
    connections.erase(&connection);
    maybe_closed();
  }
  uv_buf_t read_buffer() override {
    return uv_buf_init(read_bytes.data(), static_cast<unsigned>(read_bytes.size()));
  }

  static void on_connection(uv_stream_t* stream, int status);
  static void on_listener_closed(uv_handle_t* handle);

  uv_loop_t* loop;
  LabOptions options;
  LabStats stats;
  Greylist greylist;
  std::optional<TlsContext> tls;  // one self-signed certificate for *.lab.relayaudit.test
  std::optional<TlsCredentials> credentials;     // that certificate, for the contexts below
  std::map<LabProfile, TlsContext> profile_tls;  // legacy versions, renegotiation, huge chain
  std::map<LabProfile, TlsContext> own_tls;      // profiles with a certificate of their own
  std::vector<LabGateway> gateways;
  std::vector<std::unique_ptr<GatewayContext>> contexts;  // stable addresses for sessions
  std::unordered_set<Listener*> listeners;
  std::unordered_set<LabConnection*> connections;
  std::vector<std::function<void()>> on_closed;
  std::array<char, 64 * 1024> read_bytes{};
  bool closing = false;
  bool orphaned = false;  // the LabServer is gone; the last close callback deletes this
};

std::optional<std::string> LabServer::Impl::listen_on(const LabGatewayConfig& config) {
  std::string where = format_endpoint(config.bind_address, config.port);
  sockaddr_storage address{};
  int rc = is_ipv6_literal(config.bind_address)
               ? uv_ip6_addr(config.bind_address.c_str(), config.port,
                             reinterpret_cast<sockaddr_in6*>(&address))
               : uv_ip4_addr(config.bind_address.c_str(), config.port,
                             reinterpret_cast<sockaddr_in*>(&address));
  if (rc != 0) return where + ": " + uv_strerror(rc);
  auto* listener = new Listener{};
  listener->server = this;
  listener->tcp.data = listener;
  uv_tcp_init(loop, &listener->tcp);  // cannot fail: no socket is created before bind
  listeners.insert(listener);
  rc = uv_tcp_bind(&listener->tcp, reinterpret_cast<const sockaddr*>(&address), 0);
  if (rc == 0) {
    rc = uv_listen(reinterpret_cast<uv_stream_t*>(&listener->tcp), kListenBacklog, on_connection);
  }
  sockaddr_storage bound{};
  int length = sizeof bound;
  if (rc == 0) {
    rc = uv_tcp_getsockname(&listener->tcp, reinterpret_cast<sockaddr*>(&bound), &length);
  }
  if (rc != 0) {
    close_listener(listener);
    return where + ": " + uv_strerror(rc);
  }
  std::uint16_t port =
      ntohs(bound.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port
                                        : reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
  std::size_t index = gateways.size();
  std::string host = std::string(to_string(config.profile)) + "-" + std::to_string(index + 1) +
                     std::string(kHostSuffix);
  const bool implicit = config.profile == LabProfile::smtps ||
                        (config.implicit_tls && is_tls_profile(config.profile));
  gateways.push_back(LabGateway{config.profile, config.bind_address, port, host, implicit});
  contexts.push_back(std::unique_ptr<GatewayContext>(
      new GatewayContext{index, config.profile, host, smtp_address_literal(config.bind_address),
                         domains_served_at(options, config.bind_address), options, stats, greylist,
                         tls_for(config.profile), implicit, PeerConnections{}}));
  listener->gateway = contexts.back().get();
  spdlog::debug("lab: {} ({}) listening on {}", host, to_string(config.profile),
                gateways.back().target());
  return std::nullopt;
}

void LabServer::Impl::on_connection(uv_stream_t* stream, int status) {
  auto& listener = *static_cast<Listener*>(stream->data);
  if (status < 0) {
    spdlog::warn("lab: {}: accept failed: {}", listener.gateway->host_name, uv_strerror(status));
    return;
  }
  listener.server->accept_one(listener);
}

void LabServer::Impl::accept_one(Listener& listener) {
  if (closing) return;
  auto* connection = new LabConnection(loop, *listener.gateway, *this);
  connections.insert(connection);
  if (int rc = uv_accept(reinterpret_cast<uv_stream_t*>(&listener.tcp), connection->stream());
      rc != 0) {
    spdlog::warn("lab: {}: accept failed: {}", listener.gateway->host_name, uv_strerror(rc));
    connection->close_now();
    return;
  }
  ++stats.connections;
  if (connections.size() > kMaxConnections) {
    // Accepting and closing at once keeps the backlog moving instead of filling it.
    connection->close_now();
    return;
  }
  connection->start();
}

void LabServer::Impl::close_listener(Listener* listener) {
  uv_close(reinterpret_cast<uv_handle_t*>(&listener->tcp), on_listener_closed);
}

void LabServer::Impl::on_listener_closed(uv_handle_t* handle) {
  auto* listener = static_cast<Listener*>(handle->data);
  Impl* server = listener->server;
  server->listeners.erase(listener);
  delete listener;
  server->maybe_closed();
}

void LabServer::Impl::close_all() {
  if (closing) return;
  closing = true;
  for (Listener* listener : listeners) {
    if (!uv_is_closing(reinterpret_cast<uv_handle_t*>(&listener->tcp))) close_listener(listener);
  }
  for (LabConnection* connection : connections) connection->close_now();
}

void LabServer::Impl::maybe_closed() {
  if (!closing || has_handles()) return;
  auto callbacks = std::move(on_closed);
  on_closed.clear();
  if (orphaned) {
    delete this;
    return;
  }
  for (auto& callback : callbacks) {
    if (callback) callback();
  }
}

LabServer::LabServer(uv_loop_t* loop, LabOptions options)
    : impl_(std::make_unique<Impl>(loop, options)) {}

LabServer::~LabServer() {
  if (!impl_->has_handles()) return;
  spdlog::error("lab: LabServer destroyed with open handles; close() it and run the loop first");
  impl_->on_closed.clear();  // they may refer to whoever is destroying us
  impl_->orphaned = true;
  impl_->close_all();
  impl_.release();  // deleted by maybe_closed() from the last close callback
}

std::optional<std::string> LabServer::start(const std::vector<LabGatewayConfig>& gateways) {
  if (impl_->closing) return std::string("lab: start() after close()");
  if (auto error = impl_->make_tls_context()) return error;
  for (const LabGatewayConfig& config : gateways) {
    if (auto error = impl_->make_own_tls_context(config.profile)) return error;
    if (auto error = impl_->listen_on(config)) return error;
  }
  return std::nullopt;
}

// Made at start and kept in memory: real TLS with no file and no CA.
std::optional<std::string> LabServer::Impl::make_tls_context() {
  if (tls) return std::nullopt;
  auto credentials = make_self_signed(shared_lab_certificate());
  if (auto* error = std::get_if<std::string>(&credentials)) return "lab: " + *error;
  auto context = TlsContext::server(std::get<TlsCredentials>(credentials));
  if (auto* error = std::get_if<std::string>(&context)) return "lab: " + *error;
  tls.emplace(std::move(std::get<TlsContext>(context)));
  this->credentials.emplace(std::move(std::get<TlsCredentials>(credentials)));
  return std::nullopt;
}

// The expired and wrong-host certificates, made once per lab for the profiles that show them.
std::optional<std::string> LabServer::Impl::make_own_tls_context(LabProfile profile) {
  if (!has_own_certificate(profile) || own_tls.count(profile) > 0) return std::nullopt;
  auto credentials = make_self_signed(lab_certificate(profile));
  if (auto* error = std::get_if<std::string>(&credentials)) return "lab: " + *error;
  auto context = TlsContext::server(std::get<TlsCredentials>(credentials));
  if (auto* error = std::get_if<std::string>(&context)) return "lab: " + *error;
  own_tls.emplace(profile, std::move(std::get<TlsContext>(context)));
  return std::nullopt;
}

const TlsContext* LabServer::Impl::tls_for(LabProfile profile) {
  if (const auto own = own_tls.find(profile); own != own_tls.end()) return &own->second;
  const auto policy = tls_policy(profile);
  if (!policy || !credentials) return tls ? &*tls : nullptr;
  if (auto found = profile_tls.find(profile); found != profile_tls.end()) return &found->second;
  auto context = TlsContext::server(*credentials, *policy);
  if (auto* error = std::get_if<std::string>(&context)) {
    spdlog::warn("lab: {}: {}", to_string(profile), *error);
    return nullptr;  // the profile then answers STARTTLS with 454
  }
  return &profile_tls.emplace(profile, std::move(std::get<TlsContext>(context))).first->second;
}

const std::vector<LabGateway>& LabServer::gateways() const {
  return impl_->gateways;
}

const LabStats& LabServer::stats() const {
  return impl_->stats;
}

void LabServer::close(std::function<void()> on_closed) {
  impl_->on_closed.push_back(std::move(on_closed));
  impl_->close_all();
  impl_->maybe_closed();  // with nothing open, the callback runs right away
}

}  // namespace relayaudit
