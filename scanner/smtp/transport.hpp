// The byte stream under an SMTP session: a TCP connection on the libuv loop, with TLS switched
// on in place (STARTTLS) or from the first byte (implicit TLS). The session sees plaintext only.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <uv.h>

#include "tls/tls_context.hpp"
#include "tls/tls_engine.hpp"

namespace relayaudit {

class TransportEvents {
 public:
  virtual void on_transport_connected(int status) = 0;  // 0 or a libuv error
  virtual void on_transport_bytes(std::string_view plaintext) = 0;
  virtual void on_transport_end(int status) = 0;  // UV_EOF or a libuv error
  virtual void on_tls_established() = 0;
  // The TLS session failed: in the handshake, or later (a bad record); nothing more is read.
  virtual void on_tls_failed(const std::string& reason, bool in_handshake) = 0;
  virtual void on_transport_closed() = 0;  // the socket handle is closed

 protected:
  ~TransportEvents() = default;
};

class Transport {
 public:
  Transport(uv_loop_t* loop, TransportEvents& events);
  Transport(const Transport&) = delete;
  Transport& operator=(const Transport&) = delete;

  int connect(const sockaddr_storage& address);  // 0 or a libuv error
  // Writes plaintext, encrypted once TLS is on; 0 or a libuv error.
  int write(std::string_view plaintext);
  // From now on every byte read is TLS; the handshake starts at once (a client's ClientHello).
  void start_tls(const TlsContext& context, const std::string& server_name,
                 const TlsTicket& resume = nullptr);
  bool tls_on() const { return tls_ != nullptr; }
  bool tls_established() const { return tls_ != nullptr && tls_->established(); }
  const TlsEngine* tls() const { return tls_.get(); }
  // Sends close_notify when TLS is up, then closes the socket; on_transport_closed follows.
  void close();

 private:
  void on_read(ssize_t nread, const uv_buf_t* buf);
  void take_tls(TlsEngine::Output out);
  int write_raw(std::string bytes);

  uv_loop_t* loop_;
  TransportEvents& events_;
  uv_tcp_t tcp_{};
  uv_connect_t connect_req_{};
  std::unique_ptr<TlsEngine> tls_;
  bool closing_ = false;
  char read_buffer_[16 * 1024];
};

}  // namespace relayaudit
