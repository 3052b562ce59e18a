// TLS for real Postfix instances: test-made certificates, and instances set up to need TLS.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "postfix/postfix_scan.hpp"
#include "support/postfix_instance.hpp"
#include "tls/tls_credentials.hpp"

namespace relayaudit::testing {

// A self-signed certificate and key (scanner/tls), PEM-encoded for PostfixInstance::Options::tls.
// Returns nullopt and sets *error with what OpenSSL refused.
std::optional<PostfixInstance::TlsKeyPair> make_key_pair(const CertificateRequest& request,
                                                         std::string* error);

// The certificate every TLS instance of these tests presents.
CertificateRequest postfix_certificate_request(const std::string& host_name);

// An open relay (mynetworks 127.0.0.0/8) with a second listener in wrappermode (TLS from the
// first byte) on a free port that is not 465, requiring TLS there: smtps:// must find the relay,
// and a scan without the scheme must notice the listener speaks TLS. Its plain listener stays
// plaintext (start() waits for its banner) and relays too.
class WrappermodePostfixTest : public ScanPostfixTest {
 protected:
  void SetUp() override;
  // "127.0.0.1:PORT" of the wrappermode listener.
  std::string wrappermode_target() const;

  std::unique_ptr<PostfixInstance> server_;
  PostfixInstance::TlsKeyPair key_pair_;
};

}  // namespace relayaudit::testing
