// How a test is told apart from the others of its endpoint: its script id, and for a plaintext
// re-run beside the TLS path (--tls auto|both) the path too. diff matches tests by this key.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace relayaudit {

// Whether any test of the list ran inside TLS.
bool has_tls_path(const nlohmann::json& tests);

// "relay-x", or "relay-x (plaintext)" for the plaintext run when `tls_path_too`.
std::string script_key(const nlohmann::json& test, bool tls_path_too);

// "/tests/N: script X appears twice" for the first test whose key an earlier test has; a
// second entry would hide or invent a change when results are compared.
std::optional<std::string> repeated_script(const nlohmann::json& tests);

}  // namespace relayaudit
