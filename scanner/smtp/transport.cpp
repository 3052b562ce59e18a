// TCP reads and writes on the loop; TLS records pass through the memory-BIO engine in between.
#include "smtp/transport.hpp"

namespace relayaudit {
namespace {

struct WriteRequest {
  uv_write_t req{};
  std::string data;
};

Transport* owner(uv_handle_t* handle) {
  return static_cast<Transport*>(handle->data);
}

}  // namespace

Transport::Transport(uv_loop_t* loop, TransportEvents& events) : loop_(loop), events_(events) {
  uv_tcp_init(loop_, &tcp_);
  tcp_.data = this;
}

int Transport::connect(const sockaddr_storage& address) {
  connect_req_.data = this;
  return uv_tcp_connect(
      &connect_req_, &tcp_, reinterpret_cast<const sockaddr*>(&address),
      [](uv_connect_t* req, int status) {
        auto* self = static_cast<Transport*>(req->data);
        if (self->closing_) return;
        if (status == 0) {
          uv_read_start(
              reinterpret_cast<uv_stream_t*>(&self->tcp_),
              [](uv_handle_t* handle, std::size_t, uv_buf_t* buf) {
                Transport* transport = owner(handle);
                *buf = uv_buf_init(transport->read_buffer_, sizeof(transport->read_buffer_));
              },
              [](uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf) {
                owner(reinterpret_cast<uv_handle_t*>(stream))->on_read(nread, buf);
              });
        }
        self->events_.on_transport_connected(status);
      });
}

void Transport::on_read(ssize_t nread, const uv_buf_t* buf) {
  if (closing_ || nread == 0) return;
  if (nread < 0) {
    events_.on_transport_end(static_cast<int>(nread));
    return;
  }
  const std::string_view bytes(buf->base, static_cast<std::size_t>(nread));
  if (!tls_) {
    events_.on_transport_bytes(bytes);
    return;
  }
  if (tls_->failed()) return;  // a broken TLS session: the session is closing the socket
  take_tls(tls_->receive(bytes));
}

void Transport::take_tls(TlsEngine::Output out) {
  if (!out.ciphertext.empty()) write_raw(std::move(out.ciphertext));
  if (!out.error.empty()) {
    events_.on_tls_failed(out.error, tls_->failed_in_handshake());
    return;
  }
  if (out.established) events_.on_tls_established();
  if (closing_) return;
  if (!out.plaintext.empty()) events_.on_transport_bytes(out.plaintext);
  if (closing_) return;
  if (out.closed) events_.on_transport_end(UV_EOF);
}

void Transport::start_tls(const TlsContext& context, const std::string& server_name,
                          const TlsTicket& resume) {
  tls_ = std::make_unique<TlsEngine>(context, TlsEngine::Role::client, server_name);
  tls_->resume(resume);
  take_tls(tls_->start());
}

int Transport::write(std::string_view plaintext) {
  if (!tls_) return write_raw(std::string(plaintext));
  TlsEngine::Output out = tls_->send(plaintext);
  if (!out.error.empty()) return UV_EPROTO;
  return write_raw(std::move(out.ciphertext));
}

int Transport::write_raw(std::string bytes) {
  if (closing_ || bytes.empty()) return 0;
  auto* write = new WriteRequest;
  write->data = std::move(bytes);
  write->req.data = write;
  uv_buf_t buf = uv_buf_init(write->data.data(), static_cast<unsigned>(write->data.size()));
  const int rc =
      uv_write(&write->req, reinterpret_cast<uv_stream_t*>(&tcp_), &buf, 1,
               [](uv_write_t* req, int) { delete static_cast<WriteRequest*>(req->data); });
  if (rc != 0) delete write;
  return rc;
}

void Transport::close() {
  if (closing_) return;
  if (tls_ && tls_->established() && !tls_->failed()) write_raw(tls_->close().ciphertext);
  closing_ = true;
  // Closing the handle cancels a pending connect (UV_ECANCELED) and pending writes.
  uv_close(reinterpret_cast<uv_handle_t*>(&tcp_),
           [](uv_handle_t* handle) { owner(handle)->events_.on_transport_closed(); });
}

}  // namespace relayaudit
