// A certificate and its private key, made in memory for the lab's TLS gateways.
#pragma once

#include <memory>
#include <string>
#include <variant>
#include <vector>

struct x509_st;
struct evp_pkey_st;

namespace relayaudit {

struct CertificateRequest {
  std::string common_name;
  std::vector<std::string> dns_names;  // subjectAltName DNS entries
  long valid_from_days = -1;           // relative to now
  long valid_until_days = 365;
};

struct TlsCredentials {
  struct FreeX509 {
    void operator()(x509_st* cert) const;
  };
  struct FreeKey {
    void operator()(evp_pkey_st* key) const;
  };
  std::unique_ptr<x509_st, FreeX509> certificate;
  std::unique_ptr<evp_pkey_st, FreeKey> key;
};

// A self-signed P-256 certificate (SHA-256 signature); an error names what OpenSSL refused.
std::variant<TlsCredentials, std::string> make_self_signed(const CertificateRequest& request);

}  // namespace relayaudit
