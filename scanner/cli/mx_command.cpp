// `relayaudit mx`: checks the arguments, resolves every domain at once, prints
// table or JSON.
#include "cli/mx_command.hpp"

#include <iostream>
#include <variant>

#include "cli/exit_codes.hpp"
#include "core/duration.hpp"
#include "dns/dns_server.hpp"
#include "dns/mx_report.hpp"
#include "reports/safe_text.hpp"

namespace relayaudit {

void register_mx_command(CLI::App& app, MxCommandOptions& options) {
  CLI::App* mx = app.add_subcommand("mx", "Print the MX map of mail domains");
  mx->add_option("domains", options.domains, "Mail domains")->required();
  mx->add_option("--resolver", options.resolvers,
                 "DNS server IP[:PORT] or [IPv6]:PORT, repeatable (default: "
                 "/etc/resolv.conf)");
  mx->add_flag("--json", options.json, "Print JSON instead of a table");
  mx->add_option("--timeout", options.timeout, "Timeout of each DNS attempt (e.g. 500ms, 2s)")
      ->capture_default_str();
  mx->footer(
      "Exit codes: 0 every domain resolved (a null MX counts), 2 bad "
      "argument, 3 a DNS error\n"
      "(NXDOMAIN, SERVFAIL, timeout, or an MX host without address), 4 "
      "resolv.conf unreadable.");
}

int run_mx_command(const MxCommandOptions& options) {
  for (const auto& domain : options.domains) {
    if (auto problem = mail_domain_problem(domain)) {
      std::cerr << "relayaudit mx: '" << terminal_safe(domain) << "': " << *problem << "\n";
      return kExitUsage;
    }
  }
  if (auto problem = dns_servers_problem(options.resolvers)) {
    std::cerr << "relayaudit mx: --" << terminal_safe(*problem) << "\n";
    return kExitUsage;
  }
  const auto timeout = parse_duration(options.timeout);
  if (!timeout || timeout->count() <= 0) {
    std::cerr << "relayaudit mx: --timeout '" << terminal_safe(options.timeout)
              << "': not a positive duration\n";
    return kExitUsage;
  }
  DnsResolverOptions resolver;
  resolver.servers = options.resolvers;
  resolver.timeout = *timeout;
  const MxLookupRun run = run_mx_lookup(options.domains, resolver);
  if (run.setup_error) {
    std::cerr << "relayaudit mx: " << *run.setup_error << "\n";
    return kExitRuntime;
  }
  if (options.json) {
    // TXT-free, but names may hold escaped bytes: never let invalid UTF-8
    // throw.
    std::cout
        << mx_map_json(run.domains).dump(2, ' ', false, nlohmann::json::error_handler_t::replace)
        << "\n";
  } else {
    std::cout << mx_map_table(run.domains);
  }
  for (const auto& domain : run.domains) {
    if (!fully_resolved(domain)) return kExitInconclusive;  // 3: some DNS lookup failed
  }
  return kExitClean;
}

}  // namespace relayaudit
