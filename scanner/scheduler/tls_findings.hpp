// TLS facts of an endpoint turned into findings; they never change a relay verdict.
#pragma once

#include <chrono>
#include <vector>

#include "results/audit_result.hpp"

namespace relayaudit {

// Certificate, STARTTLS and --tls-probe findings of `endpoint`, at most one per finding id
// (severities in results/tls_finding_catalog.hpp). Validity dates are judged against `now`.
std::vector<Finding> tls_findings(const EndpointResult& endpoint,
                                  std::chrono::system_clock::time_point now);
std::vector<Finding> tls_findings(const EndpointResult& endpoint);

}  // namespace relayaudit
