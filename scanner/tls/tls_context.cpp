// SSL_CTX set-up: permissive on the client (an auditor connects to anything and reports it),
// ordinary on the lab's server side.
#include "tls/tls_context.hpp"

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "tls/tls_credentials.hpp"

namespace relayaudit {

void TlsContext::Free::operator()(ssl_ctx_st* ctx) const {
  SSL_CTX_free(ctx);
}

bool is_ip_literal(const std::string& name) {
  unsigned char buffer[16];
  return inet_pton(AF_INET, name.c_str(), buffer) == 1 ||
         inet_pton(AF_INET6, name.c_str(), buffer) == 1;
}

std::string take_openssl_errors() {
  std::string text;
  while (unsigned long code = ERR_get_error()) {
    char buffer[256];
    ERR_error_string_n(code, buffer, sizeof buffer);
    if (!text.empty()) text += "; ";
    text += buffer;
  }
  return text;
}

namespace {

int openssl_version(TlsVersion version) {
  switch (version) {
    case TlsVersion::tls1:
      return TLS1_VERSION;
    case TlsVersion::tls1_1:
      return TLS1_1_VERSION;
    case TlsVersion::tls1_2:
      return TLS1_2_VERSION;
    case TlsVersion::tls1_3:
      return TLS1_3_VERSION;
  }
  return TLS1_3_VERSION;
}

}  // namespace

const char* to_string(TlsVersion version) {
  switch (version) {
    case TlsVersion::tls1:
      return "TLSv1";
    case TlsVersion::tls1_1:
      return "TLSv1.1";
    case TlsVersion::tls1_2:
      return "TLSv1.2";
    case TlsVersion::tls1_3:
      return "TLSv1.3";
  }
  return "TLSv1.3";
}

std::variant<TlsContext, std::string> TlsContext::client(const std::string& ca_file) {
  ERR_clear_error();
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  if (ctx == nullptr) return "cannot create a TLS context: " + take_openssl_errors();
  TlsContext context(ctx);
  // Debian's openssl.cnf sets TLS 1.2 and security level 2 as floors; a scanner must go lower
  // to reach the servers that still sit there, and reports the version as a fact.
  SSL_CTX_set_security_level(ctx, 0);
  SSL_CTX_set_min_proto_version(ctx, TLS1_VERSION);
  SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
  // OpenSSL 3 clients accept a server's renegotiation by default; ours refuses it (a
  // no_renegotiation alert) so a server cannot restart the handshake mid-audit.
  SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF | SSL_OP_NO_RENEGOTIATION);
  const int loaded = ca_file.empty() ? SSL_CTX_set_default_verify_paths(ctx)
                                     : SSL_CTX_load_verify_locations(ctx, ca_file.c_str(), nullptr);
  if (loaded != 1) {
    return "cannot load trusted certificates" + (ca_file.empty() ? "" : " from " + ca_file) + ": " +
           take_openssl_errors();
  }
  return context;
}

std::variant<TlsContext, std::string> TlsContext::client_only(TlsVersion version) {
  ERR_clear_error();
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  if (ctx == nullptr) return "cannot create a TLS context: " + take_openssl_errors();
  TlsContext context(ctx);
  SSL_CTX_set_security_level(ctx, 0);
  if (SSL_CTX_set_min_proto_version(ctx, openssl_version(version)) != 1 ||
      SSL_CTX_set_max_proto_version(ctx, openssl_version(version)) != 1) {
    return std::string("cannot pin the client to ") + to_string(version) + ": " +
           take_openssl_errors();
  }
  SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
  SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF | SSL_OP_NO_RENEGOTIATION);
  return context;
}

std::variant<TlsContext, std::string> TlsContext::server(const TlsCredentials& credentials,
                                                         const TlsServerPolicy& policy) {
  ERR_clear_error();
  SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
  if (ctx == nullptr) return "cannot create a TLS context: " + take_openssl_errors();
  TlsContext context(ctx);
  if (!policy.renegotiation) SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION);
  // Explicit, so the lab's answer to old clients does not depend on the system openssl.cnf.
  if (policy.min_version < TlsVersion::tls1_2) SSL_CTX_set_security_level(ctx, 0);
  SSL_CTX_set_min_proto_version(ctx, openssl_version(policy.min_version));
  SSL_CTX_set_max_proto_version(ctx, openssl_version(policy.max_version));
  if (SSL_CTX_use_certificate(ctx, credentials.certificate.get()) != 1 ||
      SSL_CTX_use_PrivateKey(ctx, credentials.key.get()) != 1) {
    return "cannot use the certificate: " + take_openssl_errors();
  }
  for (std::size_t i = 0; i < policy.chain_padding; ++i) {
    if (SSL_CTX_add1_chain_cert(ctx, credentials.certificate.get()) != 1) {
      return "cannot pad the certificate chain: " + take_openssl_errors();
    }
  }
  return context;
}

}  // namespace relayaudit
