// TLS for real Postfix instances: test-made certificates, and instances set up to need TLS.
#include "postfix/postfix_tls.hpp"

#include <openssl/bio.h>
#include <openssl/pem.h>

#include <variant>

namespace relayaudit::testing {
namespace {

struct FreeBio {
  void operator()(BIO* bio) const { BIO_free(bio); }
};

std::string bio_text(BIO* bio) {
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  return size > 0 ? std::string(data, static_cast<std::size_t>(size)) : "";
}

}  // namespace

std::optional<PostfixInstance::TlsKeyPair> make_key_pair(const CertificateRequest& request,
                                                         std::string* error) {
  auto made = make_self_signed(request);
  if (auto* problem = std::get_if<std::string>(&made)) {
    *error = *problem;
    return std::nullopt;
  }
  const TlsCredentials& credentials = std::get<TlsCredentials>(made);
  std::unique_ptr<BIO, FreeBio> certificate(BIO_new(BIO_s_mem()));
  std::unique_ptr<BIO, FreeBio> key(BIO_new(BIO_s_mem()));
  if (!certificate || !key ||
      PEM_write_bio_X509(certificate.get(), credentials.certificate.get()) != 1 ||
      PEM_write_bio_PrivateKey(key.get(), credentials.key.get(), nullptr, nullptr, 0, nullptr,
                               nullptr) != 1) {
    *error = "PEM_write_bio failed";
    return std::nullopt;
  }
  return PostfixInstance::TlsKeyPair{bio_text(certificate.get()), bio_text(key.get())};
}

CertificateRequest postfix_certificate_request(const std::string& host_name) {
  return CertificateRequest{host_name, {host_name, "mx.postfix.relayaudit.test"}, -1, 30};
}

void WrappermodePostfixTest::SetUp() {
  ScanPostfixTest::SetUp();
  if (IsSkipped() || HasFatalFailure()) return;
  std::string error;
  auto pair = make_key_pair(postfix_certificate_request("open.postfix.relayaudit.test"), &error);
  ASSERT_TRUE(pair) << error;
  key_pair_ = *pair;
  PostfixInstance::Options options;
  options.tls = key_pair_;
  options.listeners = {{"127.0.0.1",
                        0,
                        {"syslog_name=postfix/smtps", "smtpd_tls_wrappermode=yes",
                         "smtpd_tls_security_level=encrypt"}}};
  server_ = PostfixInstance::start(PostfixInstance::Mode::open, options, &error);
  ASSERT_NE(server_, nullptr) << error;
  // Ephemeral ports are never 465; asserted because the point is a port that does not imply TLS.
  ASSERT_NE(server_->listeners().at(0).port, 465);
}

std::string WrappermodePostfixTest::wrappermode_target() const {
  return server_->listeners().at(0).target();
}

}  // namespace relayaudit::testing
