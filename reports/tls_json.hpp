// The TLS facts of an endpoint in the results document ("tls" of an endpoint object).
#pragma once

#include <nlohmann/json.hpp>

#include "results/audit_result.hpp"

namespace relayaudit {

// null when TLS was neither offered, used nor tried.
nlohmann::json tls_json(const EndpointResult& result);

}  // namespace relayaudit
