// `relayaudit mx`: the MX map of mail domains (preference, hosts, addresses,
// TTLs), the first step of any troubleshooting session.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace relayaudit {

struct MxCommandOptions {
  std::vector<std::string> domains;
  std::vector<std::string> resolvers;  // "ip:port"; empty: the nameservers of /etc/resolv.conf
  bool json = false;
  std::string timeout = "2s";  // per DNS attempt
};

void register_mx_command(CLI::App& app, MxCommandOptions& options);
// 0 every domain resolved (a null MX counts), 2 bad domain/resolver/timeout, 3
// a DNS error, 4 the system resolver configuration could not be read.
int run_mx_command(const MxCommandOptions& options);

}  // namespace relayaudit
