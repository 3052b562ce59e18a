// Reading a handshake's facts out of OpenSSL: names, times, keys, digests and verification.
#include "tls/tls_facts.hpp"

#include <arpa/inet.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <ctime>
#include <memory>

namespace relayaudit {
namespace {

std::string name_text(const X509_NAME* name) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
  if (!bio || name == nullptr) return {};
  X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);
  return size > 0 ? std::string(data, static_cast<std::size_t>(size)) : std::string();
}

std::string serial_text(const X509* cert) {
  std::unique_ptr<BIGNUM, decltype(&BN_free)> number(
      ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), nullptr), BN_free);
  if (!number) return {};
  char* hex = BN_bn2hex(number.get());
  std::string text = hex != nullptr ? hex : "";
  OPENSSL_free(hex);
  return text;
}

std::string time_text(const ASN1_TIME* time) {
  std::tm parts{};
  if (time == nullptr || ASN1_TIME_to_tm(time, &parts) != 1) return {};
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &parts);
  return buffer;
}

std::int64_t days_until(const ASN1_TIME* time) {
  int days = 0;
  int seconds = 0;
  if (time == nullptr || ASN1_TIME_diff(&days, &seconds, nullptr, time) != 1) return 0;
  return days;
}

void read_alt_names(const X509* cert, CertificateFacts& facts) {
  auto* names =
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  if (names == nullptr) return;
  for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* entry = sk_GENERAL_NAME_value(names, i);
    if (entry->type == GEN_DNS) {
      const ASN1_IA5STRING* dns = entry->d.dNSName;
      facts.dns_names.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(dns)),
                                   static_cast<std::size_t>(ASN1_STRING_length(dns)));
    } else if (entry->type == GEN_IPADD) {
      const ASN1_OCTET_STRING* ip = entry->d.iPAddress;
      const int length = ASN1_STRING_length(ip);
      char text[INET6_ADDRSTRLEN] = "";
      if (length == 4 || length == 16) {
        inet_ntop(length == 4 ? AF_INET : AF_INET6, ASN1_STRING_get0_data(ip), text, sizeof text);
        facts.ip_addresses.emplace_back(text);
      }
    }
  }
  GENERAL_NAMES_free(names);
}

std::string fingerprint(const X509* cert) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (X509_digest(cert, EVP_sha256(), digest, &length) != 1) return {};
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string text;
  for (unsigned int i = 0; i < length; ++i) {
    if (i > 0) text += ':';
    text += kHex[digest[i] >> 4];
    text += kHex[digest[i] & 0x0f];
  }
  return text;
}

CertificateFacts certificate_facts(const X509* cert) {
  CertificateFacts facts;
  facts.subject = name_text(X509_get_subject_name(cert));
  facts.issuer = name_text(X509_get_issuer_name(cert));
  facts.serial = serial_text(cert);
  read_alt_names(cert, facts);
  facts.not_before = time_text(X509_get0_notBefore(cert));
  facts.not_after = time_text(X509_get0_notAfter(cert));
  facts.days_left = days_until(X509_get0_notAfter(cert));
  if (const EVP_PKEY* key = X509_get0_pubkey(cert)) {
    const char* type = EVP_PKEY_get0_type_name(key);
    facts.key_type = type != nullptr ? type : "";
    facts.key_bits = EVP_PKEY_get_bits(key);
  }
  facts.signature_algorithm = OBJ_nid2ln(X509_get_signature_nid(cert));
  facts.sha256 = fingerprint(cert);
  return facts;
}

}  // namespace

TlsFacts read_tls_facts(const TlsEngine& engine, const std::string& host_name) {
  TlsFacts facts;
  // OpenSSL's getters take a non-const SSL for historical reasons; none of them change it.
  SSL* ssl = const_cast<SSL*>(engine.native());
  if (ssl == nullptr || !engine.established()) return facts;
  facts.protocol = SSL_get_version(ssl);
  if (const SSL_CIPHER* cipher = SSL_get_current_cipher(ssl)) {
    facts.cipher = SSL_CIPHER_get_name(cipher);
  }
  if (const int group = SSL_get_negotiated_group(ssl); group != 0) {
    const char* name = SSL_group_to_name(ssl, group);
    facts.group = name != nullptr ? name : "";
  }
  if (STACK_OF(X509)* chain = SSL_get_peer_cert_chain(ssl)) {
    for (int i = 0; i < sk_X509_num(chain); ++i) {
      facts.chain.push_back(certificate_facts(sk_X509_value(chain, i)));
    }
  }
  const long verified = SSL_get_verify_result(ssl);
  facts.chain_trusted = verified == X509_V_OK && !facts.chain.empty();
  if (!facts.chain_trusted) {
    facts.verify_error =
        facts.chain.empty() ? "no certificate" : X509_verify_cert_error_string(verified);
  }
  if (!host_name.empty() && !is_ip_literal(host_name)) {
    facts.checked_host = host_name;
    X509* leaf = SSL_get0_peer_certificate(ssl);
    facts.host_matches = leaf != nullptr && X509_check_host(leaf, host_name.c_str(),
                                                            host_name.size(), 0, nullptr) == 1;
  }
  return facts;
}

}  // namespace relayaudit
