// DNSBL checks. Return codes outside 127.0.0.0/8, and 127.255.255.0/24 ("query refused" on
// Spamhaus-style lists: public resolver, over quota), are errors, never listings.
#include "dns/dnsbl.hpp"

#include <arpa/inet.h>

#include <memory>

#include "dns/dns_message.hpp"
#include "dns/resolver.hpp"

namespace relayaudit {
namespace {

// Why an A answer of a blocklist is not a listing code, or "" when it is one.
std::string unusable_code(const std::string& code) {
  in_addr parsed{};
  if (inet_pton(AF_INET, code.c_str(), &parsed) != 1) return code + " is not an IPv4 address";
  const std::uint32_t value = ntohl(parsed.s_addr);
  if ((value >> 24) != 127) {
    return "answer " + code +
           " is outside 127.0.0.0/8: not a blocklist answer (a wildcarding resolver, or the zone "
           "is not a DNSBL)";
  }
  if ((value >> 8) == 0x7fffff) {
    return "answer " + code +
           " means the blocklist refused the query (e.g. Spamhaus: queries through a public or "
           "open resolver, or over the free-use limit)";
  }
  return "";
}

}  // namespace

std::string_view to_string(DnsblStatus status) {
  switch (status) {
    case DnsblStatus::listed:
      return "listed";
    case DnsblStatus::not_listed:
      return "not-listed";
    case DnsblStatus::error:
      return "error";
  }
  return "error";
}

std::optional<std::string> dnsbl_query_name(std::string_view address, std::string_view zone) {
  const auto canonical_zone = dns_detail::canonical_dns_name(zone);
  if (!canonical_zone || *canonical_zone == "." || address.find('%') != std::string_view::npos) {
    return std::nullopt;
  }
  const std::string text(address);
  std::string name;
  in_addr v4{};
  in6_addr v6{};
  if (inet_pton(AF_INET, text.c_str(), &v4) == 1) {
    const auto* octets = reinterpret_cast<const unsigned char*>(&v4.s_addr);
    for (int i = 3; i >= 0; --i) name += std::to_string(octets[i]) + ".";
  } else if (inet_pton(AF_INET6, text.c_str(), &v6) == 1) {
    static constexpr char kHex[] = "0123456789abcdef";
    for (int i = 15; i >= 0; --i) {
      name += kHex[v6.s6_addr[i] & 0x0f];
      name += '.';
      name += kHex[v6.s6_addr[i] >> 4];
      name += '.';
    }
  } else {
    return std::nullopt;
  }
  return name + *canonical_zone;
}

void check_dnsbl(DnsResolver& resolver, std::string address, std::string zone,
                 std::function<void(DnsblResult)> done) {
  auto result = std::make_shared<DnsblResult>();
  result->address = address;
  const auto canonical_zone = dns_detail::canonical_dns_name(zone);
  result->zone = canonical_zone ? *canonical_zone : zone;
  const auto name = dnsbl_query_name(address, zone);
  if (!name) {
    result->status = DnsblStatus::error;
    result->dns_status = DnsStatus::malformed;
    result->error = canonical_zone ? "'" + address + "' is not a numeric IPv4 or IPv6 address"
                                   : "'" + zone + "' is not a DNS zone name";
    resolver.post([result, done = std::move(done)] { done(std::move(*result)); });
    return;
  }
  result->query_name = *name;
  resolver.query(*name, kDnsTypeA, [&resolver, result, done = std::move(done)](DnsAnswer a) {
    result->dns_status = a.status;
    if (a.status == DnsStatus::nxdomain || a.status == DnsStatus::nodata) {
      result->status = DnsblStatus::not_listed;
      done(std::move(*result));
      return;
    }
    if (a.status != DnsStatus::ok) {
      result->status = DnsblStatus::error;
      result->error = a.reason;
      done(std::move(*result));
      return;
    }
    for (const auto& record : a.records) result->return_codes.push_back(record.text);
    for (const auto& code : result->return_codes) {
      if (auto problem = unusable_code(code); !problem.empty()) {
        result->status = DnsblStatus::error;
        result->error = problem;
        done(std::move(*result));
        return;
      }
    }
    result->status = DnsblStatus::listed;
    resolver.query(result->query_name, kDnsTypeTxt, [result, done](DnsAnswer txt) {
      for (const auto& record : txt.records) {
        if (!result->reason.empty()) result->reason += "; ";
        result->reason += record.text;
      }
      if (txt.status != DnsStatus::ok && txt.status != DnsStatus::nodata &&
          txt.status != DnsStatus::nxdomain) {
        result->reason = "(no TXT reason: " + txt.reason + ")";
      }
      done(std::move(*result));
    });
  });
}

}  // namespace relayaudit
