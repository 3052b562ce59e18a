// OpenSSL contexts for the scanner (client) and the lab (server), owned and freed here.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <variant>

struct ssl_ctx_st;

namespace relayaudit {

struct TlsCredentials;

enum class TlsVersion { tls1, tls1_1, tls1_2, tls1_3 };

// OpenSSL's name of a version ("TLSv1", "TLSv1.1", ...), as SSL_get_version() reports it.
const char* to_string(TlsVersion version);

// How a lab server context differs from an ordinary one (the legacy and hostile profiles).
struct TlsServerPolicy {
  TlsVersion min_version = TlsVersion::tls1_2;  // below 1.2 also drops the security level to 0
  TlsVersion max_version = TlsVersion::tls1_3;
  bool renegotiation = false;     // allow the server to ask for a TLS 1.2 renegotiation
  std::size_t chain_padding = 0;  // copies of the certificate appended to the chain it sends
};

class TlsContext {
 public:
  // An auditor must talk to old and misconfigured servers to test them: every protocol version
  // and cipher OpenSSL still has is allowed, and the certificate is verified for the report, never
  // enforced. Trust comes from `ca_file`, or the system store when it is empty.
  static std::variant<TlsContext, std::string> client(const std::string& ca_file = {});
  // --tls-probe versions: a client that offers `version` and nothing else, at security level 0
  // (OpenSSL 3 refuses TLS 1.0 and 1.1 above it); it verifies nothing.
  static std::variant<TlsContext, std::string> client_only(TlsVersion version);
  static std::variant<TlsContext, std::string> server(const TlsCredentials& credentials,
                                                      const TlsServerPolicy& policy = {});

  ssl_ctx_st* get() const { return ctx_.get(); }

 private:
  struct Free {
    void operator()(ssl_ctx_st* ctx) const;
  };
  explicit TlsContext(ssl_ctx_st* ctx) : ctx_(ctx) {}
  std::unique_ptr<ssl_ctx_st, Free> ctx_;
};

// True for IPv4/IPv6 address text: no SNI is sent for it and no host name is matched.
bool is_ip_literal(const std::string& name);

// OpenSSL's queued errors as one line ("error:0A000086:SSL routines::certificate verify
// failed"), emptying the queue; "" when there are none.
std::string take_openssl_errors();

}  // namespace relayaudit
