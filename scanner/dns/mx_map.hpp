// A mail domain's receiving gateways: MX hosts in preference order and every address behind
// each, the implicit MX of RFC 5321 section 5.1 and the null MX of RFC 7505.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "dns/dns_answer.hpp"

namespace relayaudit {

class DnsResolver;

struct MxAddress {
  std::string address;  // inet_ntop text
  bool ipv6 = false;
  std::uint32_t ttl = 0;
};

struct MxHost {
  std::uint16_t preference = 0;
  std::string name;                  // lowercase, no trailing dot
  std::uint32_t ttl = 0;             // of the MX record (of the A/AAAA records for an implicit MX)
  std::vector<MxAddress> addresses;  // every A, then every AAAA
  std::vector<std::string> cname_chain;  // an MX host must not be a CNAME (RFC 2181 10.3)
  std::string error;  // a failed A/AAAA lookup, or no address at all; addresses may still be set
};

struct MailDomain {
  std::string domain;                // lowercase, no trailing dot
  bool null_mx = false;              // "MX 0 ." alone: the domain accepts no mail
  bool implicit_mx = false;          // no MX: the domain's own A/AAAA receive its mail
  std::string error;                 // why the MX map could not be made ("" when it was)
  DnsStatus status = DnsStatus::ok;  // of the lookup that failed, else ok
  std::vector<MxHost> hosts;         // by preference, then name
};

// Resolves the MX set of `domain` and every A/AAAA of every host, in parallel. `done` runs once,
// on the loop, with DNS failures as values (domain-level in `error`, host-level in host.error).
void resolve_mail_domain(DnsResolver& resolver, std::string domain,
                         std::function<void(MailDomain)> done);

// True when the map is complete: no domain error and no host error (a null MX is complete).
bool fully_resolved(const MailDomain& domain);

}  // namespace relayaudit
