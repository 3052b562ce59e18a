// `relayaudit lab`: the simulated gateways served until SIGINT/SIGTERM.
#include "cli/lab_command.hpp"

#include <arpa/inet.h>

#include <fstream>
#include <iostream>
#include <optional>
#include <string_view>

#include "cli/exit_codes.hpp"
#include "cli/interrupt_watch.hpp"
#include "cli/scan_execution.hpp"
#include "lab/lab_server.hpp"
#include "reports/safe_text.hpp"

namespace relayaudit {
namespace {

// The lab only ever listens on loopback: it is a test peer, never a service for a network.
bool is_loopback(const std::string& address) {
  in_addr v4{};
  if (inet_pton(AF_INET, address.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  return address == "::1";
}

// A duration option, or a message naming it; `bare_unit` is what a plain number counts.
std::optional<Millis> duration_option(const char* name, const std::string& text,
                                      std::string_view bare_unit = "s") {
  const bool bare = !text.empty() && text.find_first_not_of("0123456789") == std::string::npos;
  if (auto value = parse_duration(bare ? text + std::string(bare_unit) : text)) return value;
  std::cerr << "relayaudit: " << name << " '" << terminal_safe(text)
            << "': not a duration (a number of " << (bare_unit == "ms" ? "milliseconds" : "seconds")
            << ", or with a unit: 250ms, 2s, 1m)\n";
  return std::nullopt;
}

}  // namespace

void register_lab_command(CLI::App& app, LabCommandOptions& options) {
  CLI::App* lab = app.add_subcommand("lab", "Serve simulated SMTP gateways on loopback");
  lab->add_option("--profile", options.profiles,
                  "Profiles to serve, one gateway each (default: the demo fleet)")
      ->delimiter(',');
  lab->add_option("--count", options.count, "Serve this many gateways, alternating closed/open")
      ->check(CLI::Range(std::size_t{1}, std::size_t{65536}));
  lab->add_option("--bind", options.bind, "Loopback address to listen on (127.0.0.0/8 or ::1)")
      ->capture_default_str();
  lab->add_option("--base-port", options.base_port,
                  "Serve gateway i on port P+i instead of free ports, so the endpoints of two "
                  "lab runs are the same and their results can be diffed")
      ->check(CLI::Range(1, 65535));
  lab->add_option("--endpoints-file", options.endpoints_file,
                  "Write the served endpoints here, one per line, for 'scan -f'");
  lab->add_option("--greylist-window", options.greylist_window,
                  "Age at which a greylisted triplet is accepted")
      ->capture_default_str();
  lab->add_option("--error-limit", options.error_limit, "Errors before 421 (error-limit profile)")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  lab->add_option("--latency", options.latency,
                  "Delay every byte a gateway sends by this network latency (a bare number is "
                  "milliseconds: --latency 20)")
      ->capture_default_str();
  lab->add_option("--tarpit-delay", options.tarpit_delay,
                  "Wait before each 5xx to RCPT (exchange-tarpit profile)")
      ->capture_default_str();
  lab->add_option("--greet-wait", options.greet_wait,
                  "Wait between the 220- teaser and the 220 banner (postscreen profile)")
      ->capture_default_str();
  lab->add_option("--connection-limit", options.connection_limit,
                  "Concurrent connections per client address before the 421 banner "
                  "(connection-limit profile)")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  lab->add_option("--soft-error-limit", options.soft_error_limit,
                  "Errors after which every reply waits --error-sleep (error-sleep profile)")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  lab->add_option("--error-sleep", options.error_sleep,
                  "Delay of every reply past the soft error limit (error-sleep profile)")
      ->capture_default_str();
  lab->add_option("--hard-error-limit", options.hard_error_limit,
                  "Errors after which 421 follows and the session closes (error-sleep profile)")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
}

int run_lab_command(const LabCommandOptions& options) {
  if (!is_loopback(options.bind)) {
    std::cerr << "relayaudit: --bind '" << terminal_safe(options.bind)
              << "': the lab listens on loopback only (127.0.0.0/8 or ::1)\n";
    return kExitUsage;
  }
  LabOptions lab_options;
  const auto window = parse_duration(options.greylist_window);
  if (!window) {
    std::cerr << "relayaudit: --greylist-window '" << terminal_safe(options.greylist_window)
              << "': not a duration\n";
    return kExitUsage;
  }
  lab_options.greylist_window = *window;
  lab_options.error_limit = options.error_limit;
  const auto latency = duration_option("--latency", options.latency, "ms");
  const auto tarpit_delay = duration_option("--tarpit-delay", options.tarpit_delay);
  const auto greet_wait = duration_option("--greet-wait", options.greet_wait);
  const auto error_sleep = duration_option("--error-sleep", options.error_sleep);
  if (!latency || !tarpit_delay || !greet_wait || !error_sleep) return kExitUsage;
  lab_options.latency = *latency;
  lab_options.tarpit_delay = *tarpit_delay;
  lab_options.greet_wait = *greet_wait;
  lab_options.error_sleep = *error_sleep;
  lab_options.connection_limit = options.connection_limit;
  lab_options.soft_error_limit = options.soft_error_limit;
  lab_options.hard_error_limit = options.hard_error_limit;

  std::vector<LabGatewayConfig> fleet;
  if (options.count > 0) {
    fleet = benchmark_lab_fleet(options.count);
  } else if (options.profiles.empty()) {
    fleet = default_lab_fleet();
  } else {
    for (const auto& name : options.profiles) {
      const auto profile = lab_profile_from_string(name);
      if (!profile) {
        std::cerr << "relayaudit: --profile '" << terminal_safe(name)
                  << "': unknown lab profile; the profiles are:";
        for (const LabProfile known : all_lab_profiles()) std::cerr << " " << to_string(known);
        std::cerr << "\n";
        return kExitUsage;
      }
      fleet.push_back(LabGatewayConfig{*profile, "127.0.0.1", 0});
    }
  }
  for (auto& gateway : fleet) gateway.bind_address = options.bind;
  if (options.base_port > 0) {
    if (static_cast<std::size_t>(options.base_port) + fleet.size() - 1 > 65535) {
      std::cerr << "relayaudit: --base-port " << options.base_port << ": " << fleet.size()
                << " gateways need ports up to " << options.base_port + fleet.size() - 1
                << ", past 65535\n";
      return kExitUsage;
    }
    for (std::size_t i = 0; i < fleet.size(); ++i) {
      fleet[i].port = static_cast<std::uint16_t>(options.base_port + static_cast<int>(i));
    }
  }

  raise_file_limit();
  uv_loop_t loop;
  uv_loop_init(&loop);
  LabServer lab(&loop, lab_options);
  if (auto error = lab.start(fleet)) {
    std::cerr << "relayaudit: cannot start the lab: " << *error << "\n";
    lab.close();
    uv_run(&loop, UV_RUN_DEFAULT);
    uv_loop_close(&loop);
    return kExitRuntime;
  }
  std::ofstream endpoints_file;
  if (!options.endpoints_file.empty()) endpoints_file.open(options.endpoints_file);
  std::cout << "relayaudit lab: " << lab.gateways().size() << " gateways (Ctrl-C to stop)\n";
  for (const auto& gateway : lab.gateways()) {
    std::cout << "  " << gateway.target() << "  " << to_string(gateway.profile) << "  "
              << gateway.host_name << "  expect " << expected_verdict(gateway.profile) << "\n";
    if (endpoints_file) endpoints_file << gateway.scan_target() << "\n";
  }
  if (endpoints_file) endpoints_file.close();
  std::cout << std::flush;

  InterruptWatch signals(&loop, [&](int) {
    lab.close();
    signals.close();
  });
  uv_run(&loop, UV_RUN_DEFAULT);
  uv_loop_close(&loop);
  return kExitClean;
}

}  // namespace relayaudit
