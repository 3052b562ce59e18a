// What the user asked to audit (a Target) and what gets connected to (an Endpoint).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace relayaudit {

enum class TargetKind {
  host,         // a host name with a port, or localhost: every A/AAAA address is a gateway
  ipv4,         // a literal IPv4 address
  ipv6,         // a literal IPv6 address
  cidr,         // an IPv4 or IPv6 network: every address in it (bounded)
  mail_domain,  // a bare name: every address of every MX host (or its own, without MX)
};

struct Target {
  TargetKind kind = TargetKind::host;
  std::string host;  // host name or address text, without brackets
  std::uint16_t port = 25;
  bool port_given = false;
  int prefix_length = -1;     // for cidr targets
  bool implicit_tls = false;  // written smtps://: TLS from the first byte (RFC 8314)
  std::string spec;           // what the user wrote, for messages and attribution
  std::string origin;         // "argument" or "file:line"
  // "mail-domain=D" on its targets-file line: the domain this host or network receives mail for.
  std::string mail_domain;
};

// One address and port to audit, with the names that led to it.
struct Endpoint {
  std::string address;  // numeric IPv4 or IPv6 text
  std::uint16_t port = 25;
  bool ipv6 = false;
  std::string host_name;                  // the DNS name it came from, empty for address targets
  std::vector<std::string> targets;       // every target spec that expanded to this endpoint
  std::vector<std::string> mail_domains;  // domains whose MX set led here, in target order
  bool implicit_tls = false;              // smtps:// (port 465 implies it too)
  // The mail domain its targets-file line declared (host, address and network targets only).
  std::string declared_mail_domain{};

  std::string key() const;  // "127.0.0.1:25" or "[::1]:25"
};

}  // namespace relayaudit
