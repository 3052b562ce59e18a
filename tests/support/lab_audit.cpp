// Lab audit runner shared by the scheduler and session tests.
#include "support/lab_audit.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

#include "relaytests/script_library.hpp"
#include "scheduler/scan_runner.hpp"
#include "targets/target_parser.hpp"

namespace relayaudit::testing {

const std::vector<RelayScript>& core_scripts() {
  static const std::vector<RelayScript> core =
      std::get<std::vector<RelayScript>>(select_scripts(builtin_scripts(), {"core"}));
  return core;
}

std::vector<Target> parse_test_targets(const std::vector<std::string>& specs,
                                       std::uint16_t default_port) {
  std::vector<Target> targets;
  for (const auto& spec : specs) {
    auto parsed = parse_target(spec, "test", default_port);
    if (auto* error = std::get_if<TargetError>(&parsed)) throw std::runtime_error(error->message);
    targets.push_back(std::move(std::get<Target>(parsed)));
  }
  return targets;
}

AuditOptions fast_audit_options() {
  AuditOptions options;
  options.session.ehlo_name = "scanner.relayaudit.test";
  options.session.timeouts.connect = Millis(2000);
  options.session.timeouts.banner = Millis(3000);
  options.session.timeouts.reply = Millis(3000);
  options.greylist_delay = Millis(300);
  return options;
}

const TlsContext& tls_client_context() {
  static const TlsContext context = std::get<TlsContext>(TlsContext::client());
  return context;
}

LabAuditRun run_lab_audit(const std::vector<LabGatewayConfig>& gateways,
                          const AuditOptions& options, const LabOptions& lab_options,
                          const std::vector<std::string>& extra_targets, std::size_t concurrency,
                          const std::vector<RelayScript>& scripts) {
  LabAuditRun run;
  uv_loop_t loop;
  uv_loop_init(&loop);
  {
    LabServer lab(&loop, lab_options);
    if (auto error = lab.start(gateways)) throw std::runtime_error("lab: " + *error);
    run.gateways = lab.gateways();
    ScanPlan plan;
    plan.options = options;
    plan.options.session.clock_origin_ms = uv_now(&loop);
    plan.scripts = scripts;
    plan.concurrency = concurrency;
    std::vector<std::string> specs;
    std::vector<bool> referenced(run.gateways.size(), false);
    for (std::string spec : extra_targets) {
      for (std::size_t i = 0; i < run.gateways.size(); ++i) {
        const std::string mark = "{" + std::to_string(i) + "}";
        if (const auto at = spec.find(mark); at != std::string::npos) {
          spec.replace(at, mark.size(), run.gateways[i].target());
          referenced[i] = true;
        }
        const std::string port_mark = "{" + std::to_string(i) + ".port}";
        if (const auto at = spec.find(port_mark); at != std::string::npos) {
          spec.replace(at, port_mark.size(), std::to_string(run.gateways[i].port));
          referenced[i] = true;
        }
      }
      specs.push_back(spec);
    }
    for (std::size_t i = 0; i < run.gateways.size(); ++i) {
      if (referenced[i]) continue;  // audited only as the extra target names it
      specs.push_back(run.gateways[i].scan_target());
    }
    plan.targets = parse_test_targets(specs);
    ScanRunner runner(&loop, std::move(plan));
    runner.on_finished([&] { lab.close(); });
    runner.start();
    uv_run(&loop, UV_RUN_DEFAULT);
    run.result = runner.take_result();
    run.stats = lab.stats();
  }
  run.loop_closed_cleanly = uv_loop_close(&loop) == 0;
  return run;
}

const EndpointResult& only_endpoint(const LabAuditRun& run) {
  if (run.result.endpoints.size() != 1) {
    throw std::runtime_error("expected one endpoint, got " +
                             std::to_string(run.result.endpoints.size()));
  }
  return run.result.endpoints.front();
}

const TestResult& test_named(const EndpointResult& endpoint, const std::string& id) {
  for (const auto& test : endpoint.tests) {
    if (test.id == id) return test;
  }
  throw std::runtime_error("no test " + id + " on " + endpoint.endpoint.key());
}

}  // namespace relayaudit::testing
