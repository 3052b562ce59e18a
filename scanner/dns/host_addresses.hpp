// Every address of one host name: A and AAAA asked at once of the scan's own resolver (never
// getaddrinfo), for MX hosts and for host targets alike.
#pragma once

#include <functional>
#include <string>

#include "dns/dns_answer.hpp"
#include "dns/mx_map.hpp"

namespace relayaudit {

class DnsResolver;

// Asks A and AAAA of `name` in parallel; `done` runs once, on the loop, with both answers.
void query_host_addresses(DnsResolver& resolver, const std::string& name,
                          std::function<void(DnsAnswer a, DnsAnswer aaaa)> done);

// Fills host.addresses (every A, then every AAAA), its CNAME chain and host.error from the two
// answers; a host left without any address always gets an error.
void add_host_answers(MxHost& host, const DnsAnswer& a, const DnsAnswer& aaaa);

}  // namespace relayaudit
