// The TLS facts of an endpoint in the results document ("tls" of an endpoint object).
#pragma once

#include <nlohmann/json.hpp>

#include "results/audit_result.hpp"

namespace relayaudit {

// null when no TLS fact is known: TLS neither offered, used, tried nor probed, and no
// STARTTLS policy read.
nlohmann::json tls_json(const EndpointResult& result);

}  // namespace relayaudit
