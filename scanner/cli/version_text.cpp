// `relayaudit --version`: the versions of the libraries actually loaded, not the headers built
// with.
#include "cli/version_text.hpp"

#include <stdbool.h>  // before ldns: it defines bool/true/false as macros in C++ otherwise

#include <ldns/util.h>
#include <openssl/crypto.h>
#include <uv.h>

#include "reports/version.hpp"

namespace relayaudit {

std::string version_text() {
  std::string text = std::string("relayaudit ") + kToolVersion + "\n";
  text += std::string("commit ") + kBuildCommit + "\n";
  text += std::string(OpenSSL_version(OPENSSL_VERSION)) + "\n";
  text += std::string("libuv ") + uv_version_string() + "\n";
  text += std::string("ldns ") + ldns_version();
  return text;
}

}  // namespace relayaudit
