// The memory-BIO pump: bytes in, SSL_do_handshake / SSL_read / SSL_write, bytes out.
#include "tls/tls_engine.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <array>

namespace relayaudit {
TlsEngine::TlsEngine(const TlsContext& context, Role role, const std::string& server_name) {
  ERR_clear_error();
  ssl_ = SSL_new(context.get());
  if (ssl_ == nullptr) {
    failed_ = true;
    return;
  }
  BIO* in = BIO_new(BIO_s_mem());
  BIO* out = BIO_new(BIO_s_mem());
  // An empty input BIO means "wait for more", never end of stream.
  BIO_set_mem_eof_return(in, -1);
  BIO_set_mem_eof_return(out, -1);
  SSL_set_bio(ssl_, in, out);
  if (role == Role::client) {
    SSL_set_connect_state(ssl_);
    if (!server_name.empty() && !is_ip_literal(server_name)) {
      SSL_set_tlsext_host_name(ssl_, server_name.c_str());
    }
  } else {
    SSL_set_accept_state(ssl_);
  }
}

TlsEngine::~TlsEngine() {
  SSL_free(ssl_);  // frees both BIOs
}

void TlsEngine::resume(const TlsTicket& ticket) {
  if (ssl_ != nullptr && ticket) SSL_set_session(ssl_, ticket.get());
}

bool TlsEngine::resumed() const {
  return ssl_ != nullptr && established_ && SSL_session_reused(ssl_) == 1;
}

TlsTicket TlsEngine::ticket() const {
  if (ssl_ == nullptr || !established_) return nullptr;
  // TLS 1.3 tickets arrive after the handshake; SSL_get1_session returns the newest one.
  SSL_SESSION* session = SSL_get1_session(ssl_);
  if (session == nullptr) return nullptr;
  if (SSL_SESSION_is_resumable(session) != 1) {
    SSL_SESSION_free(session);
    return nullptr;
  }
  return TlsTicket(session, SSL_SESSION_free);
}

TlsEngine::Output TlsEngine::start() {
  Output out;
  if (failed_) {
    out.error = "cannot create a TLS session";
    return out;
  }
  advance(out);
  return out;
}

TlsEngine::Output TlsEngine::receive(std::string_view bytes) {
  Output out;
  if (failed_ || closed_) return out;
  if (!bytes.empty() &&
      BIO_write(SSL_get_rbio(ssl_), bytes.data(), static_cast<int>(bytes.size())) <= 0) {
    fail(out, "cannot buffer TLS input", SSL_ERROR_SSL);
    return out;
  }
  advance(out);
  return out;
}

TlsEngine::Output TlsEngine::send(std::string_view plaintext) {
  Output out;
  if (failed_ || closed_ || !established_) {
    out.error = "TLS session not established";
    return out;
  }
  ERR_clear_error();
  // Memory BIOs grow as needed: a write is taken whole or fails.
  const int written = SSL_write(ssl_, plaintext.data(), static_cast<int>(plaintext.size()));
  if (written <= 0 && !plaintext.empty()) {
    fail(out, "TLS write failed", SSL_get_error(ssl_, written));
    return out;
  }
  drain(out);
  return out;
}

TlsEngine::Output TlsEngine::close() {
  Output out;
  if (failed_ || !established_) return out;
  ERR_clear_error();
  SSL_shutdown(ssl_);  // queues close_notify; the peer's answer is not awaited
  closed_ = true;
  drain(out);
  return out;
}

TlsEngine::Output TlsEngine::renegotiate() {
  Output out;
  if (failed_ || closed_ || !established_) return out;
  ERR_clear_error();
  if (SSL_renegotiate(ssl_) != 1) {
    fail(out, "cannot renegotiate", SSL_ERROR_SSL);
    return out;
  }
  SSL_do_handshake(ssl_);  // queues the HelloRequest; the client's answer comes with SSL_read
  drain(out);
  return out;
}

void TlsEngine::advance(Output& out) {
  ERR_clear_error();
  if (!established_) {
    const int rc = SSL_do_handshake(ssl_);
    if (rc == 1) {
      established_ = true;
      out.established = true;
    } else {
      const int error = SSL_get_error(ssl_, rc);
      if (error != SSL_ERROR_WANT_READ && error != SSL_ERROR_WANT_WRITE) {
        drain(out);  // the alert that tells the peer why
        fail(out, "TLS handshake failed", error);
        return;
      }
    }
  }
  if (established_) read_records(out);
  drain(out);
}

void TlsEngine::read_records(Output& out) {
  std::array<char, 16 * 1024> buffer{};
  while (!failed_ && !closed_) {
    const int got = SSL_read(ssl_, buffer.data(), static_cast<int>(buffer.size()));
    if (got > 0) {
      out.plaintext.append(buffer.data(), static_cast<std::size_t>(got));
      continue;
    }
    const int error = SSL_get_error(ssl_, got);
    if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) return;
    if (error == SSL_ERROR_ZERO_RETURN) {
      closed_ = true;
      out.closed = true;
      return;
    }
    fail(out, "TLS protocol error", error);
  }
}

void TlsEngine::fail(Output& out, const std::string& what, int ssl_error) {
  failed_ = true;
  std::string reason = take_openssl_errors();
  if (reason.empty()) reason = "SSL error " + std::to_string(ssl_error);
  out.error = what + ": " + reason;
}

void TlsEngine::drain(Output& out) {
  BIO* bio = SSL_get_wbio(ssl_);
  std::array<char, 16 * 1024> buffer{};
  while (BIO_ctrl_pending(bio) > 0) {
    const int got = BIO_read(bio, buffer.data(), static_cast<int>(buffer.size()));
    if (got <= 0) break;
    out.ciphertext.append(buffer.data(), static_cast<std::size_t>(got));
  }
}

}  // namespace relayaudit
