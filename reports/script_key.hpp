// How a test is told apart from the others of its endpoint: its script id; for a plaintext
// re-run beside the TLS path (--tls auto|both) the path too; and for a domain's own control at an
// MX serving several scanned domains, that domain. diff matches tests by this key.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace relayaudit {

// What the keys of one endpoint's tests depend on.
struct TestKeyContext {
  bool tls_path_too = false;  // some test ran inside TLS: the plaintext runs are told apart
  std::string first_domain;   // the first mail domain a test names: the one every test runs at
};
TestKeyContext test_key_context(const nlohmann::json& tests);

// "relay-x"; "relay-x (plaintext)" for the plaintext run when some test ran inside TLS;
// "control-postmaster for b.example" for a control at a further mail domain of the endpoint.
std::string script_key(const nlohmann::json& test, const TestKeyContext& context);

// "/tests/N: script X appears twice" for the first test whose key an earlier test has; a
// second entry would hide or invent a change when results are compared.
std::optional<std::string> repeated_script(const nlohmann::json& tests);

}  // namespace relayaudit
