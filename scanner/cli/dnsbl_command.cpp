// `relayaudit dnsbl`: checks the arguments, asks every zone about every address
// at once.
#include "cli/dnsbl_command.hpp"

#include <iostream>
#include <variant>

#include "cli/exit_codes.hpp"
#include "core/duration.hpp"
#include "dns/dns_server.hpp"
#include "dns/dnsbl_report.hpp"
#include "dns/mx_report.hpp"
#include "reports/safe_text.hpp"

namespace relayaudit {

void register_dnsbl_command(CLI::App& app, DnsblCommandOptions& options) {
  CLI::App* dnsbl = app.add_subcommand("dnsbl", "Check addresses against DNS blocklists");
  dnsbl->add_option("addresses", options.addresses, "IPv4 or IPv6 addresses")->required();
  dnsbl->add_option("--zone", options.zones, "Blocklist zones, comma-separated or repeated")
      ->delimiter(',')
      ->required();
  dnsbl->add_option("--resolver", options.resolvers,
                    "DNS server IP[:PORT] or [IPv6]:PORT, repeatable (default: "
                    "/etc/resolv.conf)");
  dnsbl->add_flag("--json", options.json, "Print JSON instead of a table");
  dnsbl->add_option("--timeout", options.timeout, "Timeout of each DNS attempt (e.g. 500ms, 2s)")
      ->capture_default_str();
  dnsbl->footer(
      "Exit codes: 0 nothing listed, 1 an address is listed, 2 bad "
      "argument, 3 a lookup failed\n"
      "(including 'query refused' answers such as 127.255.255.254), "
      "4 resolv.conf unreadable.");
}

int run_dnsbl_command(const DnsblCommandOptions& options) {
  for (const auto& address : options.addresses) {
    if (!dnsbl_query_name(address, "zone.invalid")) {
      std::cerr << "relayaudit dnsbl: '" << terminal_safe(address)
                << "': not a numeric IPv4 or IPv6 address\n";
      return kExitUsage;
    }
  }
  for (const auto& zone : options.zones) {
    if (auto problem = mail_domain_problem(zone)) {
      std::cerr << "relayaudit dnsbl: --zone '" << terminal_safe(zone) << "': " << *problem << "\n";
      return kExitUsage;
    }
  }
  if (auto problem = dns_servers_problem(options.resolvers)) {
    std::cerr << "relayaudit dnsbl: --" << terminal_safe(*problem) << "\n";
    return kExitUsage;
  }
  const auto timeout = parse_duration(options.timeout);
  if (!timeout || timeout->count() <= 0) {
    std::cerr << "relayaudit dnsbl: --timeout '" << terminal_safe(options.timeout)
              << "': not a positive duration\n";
    return kExitUsage;
  }
  DnsResolverOptions resolver;
  resolver.servers = options.resolvers;
  resolver.timeout = *timeout;
  const DnsblLookupRun run = run_dnsbl_lookup(options.addresses, options.zones, resolver);
  if (run.setup_error) {
    std::cerr << "relayaudit dnsbl: " << *run.setup_error << "\n";
    return kExitRuntime;
  }
  if (options.json) {
    // TXT reasons are raw bytes: invalid UTF-8 is replaced, never thrown.
    std::cout << dnsbl_results_json(run.results)
                     .dump(2, ' ', false, nlohmann::json::error_handler_t::replace)
              << "\n";
  } else {
    std::cout << dnsbl_table(run.results);
  }
  bool listed = false;
  bool failed = false;
  for (const auto& result : run.results) {
    listed = listed || result.status == DnsblStatus::listed;
    failed = failed || result.status == DnsblStatus::error;
  }
  if (listed)
    return kExitOpenRelay;  // 1: a listing is the finding, even if a lookup
                            // failed
  if (failed) return kExitInconclusive;
  return kExitClean;
}

}  // namespace relayaudit
