// What one TLS handshake showed: protocol, cipher, group, the server's chain and its checks.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tls/tls_engine.hpp"

namespace relayaudit {

struct CertificateFacts {
  std::string subject;  // RFC 2253 ("CN=mx1.example.test,O=Example")
  std::string issuer;
  std::string serial;                     // hexadecimal
  std::vector<std::string> dns_names;     // subjectAltName DNS entries
  std::vector<std::string> ip_addresses;  // subjectAltName IP entries
  std::string not_before;                 // ISO 8601 UTC
  std::string not_after;
  std::int64_t days_left = 0;  // until not_after; negative once expired
  std::string key_type;        // "RSA", "EC", "ED25519", ...
  int key_bits = 0;
  std::string signature_algorithm;  // "ecdsa-with-SHA256", "sha256WithRSAEncryption"
  std::string sha256;               // fingerprint of the DER encoding, hexadecimal
};

struct TlsFacts {
  std::string protocol;                 // "TLSv1.3"
  std::string cipher;                   // "TLS_AES_256_GCM_SHA384"
  std::string group;                    // key exchange group ("X25519"), "" when OpenSSL cannot say
  std::vector<CertificateFacts> chain;  // as the server sent it, leaf first
  bool chain_trusted = false;           // verified against the trust store (or --ca-file)
  std::string verify_error;             // OpenSSL's reason when not trusted
  std::string checked_host;             // the name the endpoint was reached by, if any
  std::optional<bool> host_matches;     // X509_check_host against checked_host
};

// Facts of an established session; `host_name` is "" for targets given as bare addresses.
TlsFacts read_tls_facts(const TlsEngine& engine, const std::string& host_name);

}  // namespace relayaudit
