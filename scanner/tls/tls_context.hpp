// OpenSSL contexts for the scanner (client) and the lab (server), owned and freed here.
#pragma once

#include <memory>
#include <string>
#include <variant>

struct ssl_ctx_st;

namespace relayaudit {

struct TlsCredentials;

class TlsContext {
 public:
  // An auditor must talk to old and misconfigured servers to test them: every protocol version
  // and cipher OpenSSL still has is allowed, and the certificate is verified for the report, never
  // enforced. Trust comes from `ca_file`, or the system store when it is empty.
  static std::variant<TlsContext, std::string> client(const std::string& ca_file = {});
  static std::variant<TlsContext, std::string> server(const TlsCredentials& credentials);

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
