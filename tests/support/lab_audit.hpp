// Runs a real scan against real lab gateways on one loop, for tests.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "lab/lab_server.hpp"
#include "relaytests/relay_script.hpp"
#include "relaytests/script_library.hpp"
#include "results/audit_result.hpp"
#include "scheduler/audit_options.hpp"
#include "tls/tls_context.hpp"

namespace relayaudit::testing {

struct LabAuditRun {
  ScanResult result;
  LabStats stats;
  std::vector<LabGateway> gateways;
  bool loop_closed_cleanly = false;
};

// The core scripts only (the small plan the session-level tests count round trips on).
const std::vector<RelayScript>& core_scripts();

// Parses target specs the tests wrote; a bad one throws with the parser's message.
std::vector<Target> parse_test_targets(const std::vector<std::string>& specs,
                                       std::uint16_t default_port = 25);

// Short timeouts and retry delays so edge cases finish in well under a second or two.
AuditOptions fast_audit_options();

// The scanner's TLS client context (system trust store), made once for every test.
const TlsContext& tls_client_context();

// Starts `gateways` on a fresh loop, audits them (plus `extra_targets`) with `scripts`
// (default: every built-in script), closes the lab and the loop. "{N}" in an extra target
// stands for gateway N's address and port ("smtps://{0}"), "{N.port}" for its port alone
// ("localhost:{0.port}", a target reached by name); that gateway is then audited only so.
LabAuditRun run_lab_audit(const std::vector<LabGatewayConfig>& gateways,
                          const AuditOptions& options, const LabOptions& lab_options = {},
                          const std::vector<std::string>& extra_targets = {},
                          std::size_t concurrency = 64,
                          const std::vector<RelayScript>& scripts = builtin_scripts());

const EndpointResult& only_endpoint(const LabAuditRun& run);
const TestResult& test_named(const EndpointResult& endpoint, const std::string& id);

}  // namespace relayaudit::testing
