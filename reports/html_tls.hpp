// The TLS block of an endpoint's section in the HTML report.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace relayaudit::html {

// Protocol, cipher, certificate, verification, host-name check, STARTTLS policy and the TLS
// findings of an endpoint object; "" when the document knows nothing of its TLS.
std::string tls_block(const nlohmann::json& endpoint);

// A tls-* finding: shown in the TLS block rather than among the other findings.
bool is_tls_finding_object(const nlohmann::json& finding);

}  // namespace relayaudit::html
