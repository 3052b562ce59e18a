// `relayaudit dnsbl`: the listing status of addresses on DNS blocklists, with
// the 127.0.0.x return codes and the TXT reasons.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace relayaudit {

struct DnsblCommandOptions {
  std::vector<std::string> addresses;
  std::vector<std::string> zones;      // --zone a,b (repeatable)
  std::vector<std::string> resolvers;  // "ip:port"; empty: the nameservers of /etc/resolv.conf
  bool json = false;
  std::string timeout = "2s";
};

void register_dnsbl_command(CLI::App& app, DnsblCommandOptions& options);
// 1 some address is listed, 0 none is, 2 bad address/zone/resolver/timeout, 3 a
// lookup failed (refused-query codes included) and nothing was listed, 4
// resolv.conf unreadable.
int run_dnsbl_command(const DnsblCommandOptions& options);

}  // namespace relayaudit
