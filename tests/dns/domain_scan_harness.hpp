// A real domain scan for tests: lab gateways on one shared port at several loopback addresses
// (the port every MX endpoint is audited on), names resolved by a real nsd on loopback.
#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "lab/lab_server.hpp"
#include "results/audit_result.hpp"
#include "scheduler/audit_options.hpp"

namespace relayaudit::testing {

struct DomainScanSetup {
  // The gateways, given the port they must all listen on.
  std::function<std::vector<LabGatewayConfig>(std::uint16_t port)> gateways;
  LabOptions lab;
  std::string dns_server;  // "127.0.0.1:PORT" of the nsd to ask
  std::vector<std::string> dnsbl_zones;
  int domain_controls = AuditOptions{}.domain_controls;
  std::size_t max_endpoints_per_domain = 1024;
  // Per DNS question; the benchmarks raise it so a slow (sanitizer) build changes no result.
  std::chrono::milliseconds dns_timeout{500};
};

struct DomainScan {
  ScanResult result;
  nlohmann::json document;
  std::uint16_t port = 0;
  bool loop_closed_cleanly = false;
};

// Audits `specs` (parsed with the lab's port as the default; "{port}" in a spec is that port)
// with the core scripts.
DomainScan scan_domains(const std::vector<std::string>& specs, const DomainScanSetup& setup);

// "127.0.0.1:25" or "[::1]:25".
std::string endpoint_key(const std::string& address, std::uint16_t port);

}  // namespace relayaudit::testing
