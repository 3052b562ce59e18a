// Self-signed certificates in memory: the lab needs real TLS without files or a CA.
#include "tls/tls_credentials.hpp"

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "tls/tls_context.hpp"

namespace relayaudit {

void TlsCredentials::FreeX509::operator()(x509_st* cert) const {
  X509_free(cert);
}

void TlsCredentials::FreeKey::operator()(evp_pkey_st* key) const {
  EVP_PKEY_free(key);
}

namespace {

bool add_name_entry(X509_NAME* name, const std::string& common_name) {
  return X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                    reinterpret_cast<const unsigned char*>(common_name.c_str()), -1,
                                    -1, 0) == 1;
}

bool add_alt_names(X509* cert, const std::vector<std::string>& dns_names) {
  if (dns_names.empty()) return true;
  std::string value;
  for (const auto& name : dns_names) value += (value.empty() ? "DNS:" : ",DNS:") + name;
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  X509_EXTENSION* extension =
      X509V3_EXT_conf_nid(nullptr, &ctx, NID_subject_alt_name, value.c_str());
  if (extension == nullptr) return false;
  const bool added = X509_add_ext(cert, extension, -1) == 1;
  X509_EXTENSION_free(extension);
  return added;
}

}  // namespace

std::variant<TlsCredentials, std::string> make_self_signed(const CertificateRequest& request) {
  TlsCredentials made;
  made.key.reset(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  made.certificate.reset(X509_new());
  X509* cert = made.certificate.get();
  if (!made.key || cert == nullptr) return "cannot make a key: " + take_openssl_errors();
  constexpr long kSecondsPerDay = 86'400;
  X509_NAME* name = X509_get_subject_name(cert);
  const bool made_ok =
      X509_set_version(cert, 2) == 1 && ASN1_INTEGER_set(X509_get_serialNumber(cert), 1) == 1 &&
      X509_gmtime_adj(X509_getm_notBefore(cert), request.valid_from_days * kSecondsPerDay) &&
      X509_gmtime_adj(X509_getm_notAfter(cert), request.valid_until_days * kSecondsPerDay) &&
      add_name_entry(name, request.common_name) && X509_set_issuer_name(cert, name) == 1 &&
      add_alt_names(cert, request.dns_names) && X509_set_pubkey(cert, made.key.get()) == 1 &&
      X509_sign(cert, made.key.get(), EVP_sha256()) > 0;
  if (!made_ok) return "cannot make a certificate: " + take_openssl_errors();
  return made;
}

}  // namespace relayaudit
