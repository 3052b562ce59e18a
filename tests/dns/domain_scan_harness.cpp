// Domain scans against lab gateways sharing one port, for the domain-scan tests and benchmark.
#include "domain_scan_harness.hpp"

#include <uv.h>

#include <optional>
#include <stdexcept>

#include "reports/results_json.hpp"
#include "scheduler/scan_runner.hpp"
#include "support/lab_audit.hpp"

namespace relayaudit::testing {
namespace {

// Port 0 on one address picks a free port; every gateway then takes it. Another process may
// grab it in between, so a few tries.
std::uint16_t start_on_one_port(uv_loop_t* loop, LabServer& lab, const DomainScanSetup& setup) {
  std::optional<std::string> error;
  for (int attempt = 0; attempt < 20; ++attempt) {
    LabServer probe(loop);
    std::uint16_t port = 0;
    if (!probe.start({{LabProfile::closed, "127.0.0.1", 0}})) port = probe.gateways().front().port;
    probe.close();
    uv_run(loop, UV_RUN_DEFAULT);
    if (port == 0) continue;
    error = lab.start(setup.gateways(port));
    if (!error) return port;
  }
  throw std::runtime_error("lab: " + error.value_or("no free port"));
}

}  // namespace

std::string endpoint_key(const std::string& address, std::uint16_t port) {
  return (address.find(':') != std::string::npos ? "[" + address + "]" : address) + ":" +
         std::to_string(port);
}

DomainScan scan_domains(const std::vector<std::string>& specs, const DomainScanSetup& setup) {
  DomainScan scan;
  uv_loop_t loop;
  uv_loop_init(&loop);
  {
    LabServer lab(&loop, setup.lab);
    scan.port = start_on_one_port(&loop, lab, setup);
    ScanPlan plan;
    plan.options = fast_audit_options();
    plan.options.domain_controls = setup.domain_controls;
    plan.options.session.clock_origin_ms = uv_now(&loop);
    plan.scripts = core_scripts();
    plan.dns.servers = {setup.dns_server};
    plan.dns.resolv_conf = "/nonexistent";  // never the machine's resolver
    plan.dns.timeout = setup.dns_timeout;
    plan.dnsbl_zones = setup.dnsbl_zones;
    plan.max_endpoints_per_domain = setup.max_endpoints_per_domain;
    // "{port}" in a spec is the lab's port: host targets need it written out.
    std::vector<std::string> written;
    for (std::string spec : specs) {
      const auto at = spec.find("{port}");
      if (at != std::string::npos) spec.replace(at, 6, std::to_string(scan.port));
      written.push_back(std::move(spec));
    }
    plan.targets = parse_test_targets(written, scan.port);
    ScanRunner runner(&loop, std::move(plan));
    runner.on_finished([&] { lab.close(); });
    runner.start();
    uv_run(&loop, UV_RUN_DEFAULT);
    scan.result = runner.take_result();
  }
  scan.loop_closed_cleanly = uv_loop_close(&loop) == 0;
  scan.document = results_to_json(scan.result);
  return scan;
}

}  // namespace relayaudit::testing
