// One TLS session as a pure byte transformer over OpenSSL memory BIOs: the caller moves bytes
// between it and the socket, so it never blocks and fits any event loop.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "tls/tls_context.hpp"

struct ssl_st;
struct ssl_session_st;

namespace relayaudit {

// A TLS session a client can resume on its next connection to the same server (RFC 8446 §2.2).
using TlsTicket = std::shared_ptr<ssl_session_st>;

class TlsEngine {
 public:
  enum class Role { client, server };

  // `server_name`: sent as SNI by a client when it is a host name (never for an address).
  TlsEngine(const TlsContext& context, Role role, const std::string& server_name = {});
  ~TlsEngine();
  TlsEngine(const TlsEngine&) = delete;
  TlsEngine& operator=(const TlsEngine&) = delete;

  struct Output {
    std::string plaintext;     // application bytes the peer sent
    std::string ciphertext;    // bytes to write to the socket now (handshake, alerts, records)
    bool established = false;  // the handshake completed during this call
    bool closed = false;       // the peer sent close_notify
    std::string error;         // set once the session failed; nothing more comes out of it
  };

  Output start();                           // a client's ClientHello; nothing for a server
  Output receive(std::string_view bytes);   // ciphertext read from the socket
  Output send(std::string_view plaintext);  // only once established
  Output close();                           // close_notify
  // A server's HelloRequest (TLS 1.2 and older): the lab's hostile renegotiating profile.
  Output renegotiate();

  bool established() const { return established_; }
  bool failed() const { return failed_; }
  // Failed before the handshake completed (a handshake failure, not a broken session).
  bool failed_in_handshake() const { return failed_ && !established_; }
  const ssl_st* native() const { return ssl_; }
  // A client offers `ticket` in its ClientHello; call before start().
  void resume(const TlsTicket& ticket);
  bool resumed() const;  // the handshake resumed the offered session
  // The session to resume next time, once the server sent a resumable one; else null.
  TlsTicket ticket() const;

 private:
  void advance(Output& out);
  void read_records(Output& out);
  void fail(Output& out, const std::string& what, int ssl_error);
  void drain(Output& out);

  ssl_st* ssl_ = nullptr;
  bool established_ = false;
  bool failed_ = false;
  bool closed_ = false;
};

}  // namespace relayaudit
