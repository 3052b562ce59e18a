// DNS blocklist lookups: is an address listed on a zone, with which 127.0.0.x codes and why.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dns/dns_answer.hpp"

namespace relayaudit {

class DnsResolver;

enum class DnsblStatus { listed, not_listed, error };
std::string_view to_string(DnsblStatus status);  // "listed", "not-listed", "error"

struct DnsblResult {
  std::string address;     // as checked (canonical text)
  std::string zone;        // lowercase, no trailing dot
  std::string query_name;  // "2.0.0.127.zen.example"
  DnsblStatus status = DnsblStatus::error;
  std::vector<std::string> return_codes;  // the A records: "127.0.0.2", ...
  std::string reason;                     // listed: the TXT record(s), "; "-joined; may be empty
  std::string error;  // status error: why no verdict (a refused query is an error, not a listing)
  DnsStatus dns_status = DnsStatus::ok;  // of the A lookup
};

// The name to ask: IPv4 reversed octets, IPv6 reversed nibbles (32), then the zone. Nullopt when
// `address` is not a numeric IPv4/IPv6 address or the zone is not a DNS name.
std::optional<std::string> dnsbl_query_name(std::string_view address, std::string_view zone);

// A lookup, then TXT for the reason when listed. `done` runs once, on the loop.
void check_dnsbl(DnsResolver& resolver, std::string address, std::string zone,
                 std::function<void(DnsblResult)> done);

}  // namespace relayaudit
