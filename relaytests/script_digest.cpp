// SHA-256 of a script's bytes through OpenSSL's EVP interface.
#include "relaytests/script_digest.hpp"

#include <openssl/evp.h>

#include <stdexcept>

namespace relayaudit {

std::string script_digest(std::string_view definition) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  // EVP_Digest fails only when OpenSSL cannot allocate or has no SHA-256: nothing to recover.
  if (EVP_Digest(definition.data(), definition.size(), digest, &length, EVP_sha256(), nullptr) !=
      1) {
    throw std::runtime_error("OpenSSL could not compute a SHA-256 digest");
  }
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(length * 2);
  for (unsigned int i = 0; i < length; ++i) {
    hex += kDigits[digest[i] >> 4];
    hex += kDigits[digest[i] & 0x0f];
  }
  return hex;
}

}  // namespace relayaudit
