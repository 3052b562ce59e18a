// The plan of a scan, printed instead of run.
#include "cli/dry_run.hpp"

#include <string>

#include "reports/safe_text.hpp"
#include "targets/target_parser.hpp"

namespace relayaudit {
namespace {

std::string port_text(const Target& target) {
  return "port " + std::to_string(target.port) +
         (target.implicit_tls ? ", TLS from the first byte" : "");
}

// What the scan does with one target.
std::string target_plan(const Target& target) {
  switch (target.kind) {
    case TargetKind::mail_domain:
      return "mail domain: every address of every MX (asked of DNS at scan time), " +
             port_text(target);
    case TargetKind::host:
      if (is_localhost_name(target.host)) return "host: 127.0.0.1, " + port_text(target);
      return "host: every A and AAAA address (asked of DNS at scan time), " + port_text(target);
    case TargetKind::ipv4:
    case TargetKind::ipv6:
      return "address " + target.host + ", " + port_text(target);
    case TargetKind::cidr:
      return "CIDR: " + std::to_string(expand_cidr(target).size()) + " addresses, " +
             port_text(target);
  }
  return "";
}

}  // namespace

void print_dry_run(std::ostream& out, const ScanCommandOptions& options,
                   const std::vector<Target>& targets, const std::vector<RelayScript>& scripts) {
  out << "relayaudit: dry run: every input is valid; nothing was sent and no name was resolved\n";
  out << "targets (" << targets.size() << "):\n";
  for (const Target& target : targets) {
    out << "  " << terminal_safe(target.spec) << "  (" << terminal_safe(target.origin) << ")  "
        << terminal_safe(target_plan(target)) << "\n";
  }
  if (options.lab) out << "  the built-in lab of simulated gateways, started on loopback\n";
  out << "scripts (" << scripts.size() << "):";
  for (std::size_t i = 0; i < scripts.size(); ++i) {
    out << (i == 0 ? " " : ", ") << terminal_safe(scripts[i].id);
  }
  out << "\noutputs:";
  bool any = false;
  const auto output = [&](const std::string& flag, const std::string& path) {
    if (path.empty()) return;
    out << " " << flag << " " << terminal_safe(path);
    any = true;
  };
  output("-o", options.output);
  output("--jsonl", options.jsonl);
  for (const auto& [format, path] : options.reports) output("--" + format, path);
  out << (any ? "" : " none (the summary only)") << "\n";
}

}  // namespace relayaudit
