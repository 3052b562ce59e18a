// CIDR targets: parsing with host bits masked off, a hard size limit, and expansion to endpoints.
#include "targets/cidr.hpp"

#include "targets/ip_address.hpp"
#include "targets/target_parser.hpp"

namespace relayaudit {

namespace targets_detail {

namespace {

// Beyond 2^63 the count no longer fits the message as a number; a power of two says it anyway.
std::string describe_count(int host_bits) {
  if (host_bits >= 64) return "2^" + std::to_string(host_bits);
  return std::to_string(std::uint64_t{1} << host_bits);
}

std::optional<int> parse_prefix(std::string_view text, int max) {
  if (text.empty() || text.size() > 3) return std::nullopt;
  int value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  if (value > max) return std::nullopt;
  return value;
}

bool exceeds_limit(int host_bits) {
  return host_bits >= 64 || (std::uint64_t{1} << host_bits) > kMaxCidrAddresses;
}

}  // namespace

std::optional<std::string> fill_cidr(Target& target, std::string_view network,
                                     std::string_view prefix, bool ipv6) {
  const auto address = ipv6 ? parse_ipv6(network) : parse_ipv4(network);
  if (!address) {
    return "'" + std::string(network) + "' is not a valid " + (ipv6 ? "IPv6" : "IPv4") +
           " network address";
  }
  const int bits = address->bit_count();
  const auto length = parse_prefix(prefix, bits);
  if (!length) {
    return "prefix length '" + std::string(prefix) + "' is not a number from 0 to " +
           std::to_string(bits);
  }
  const int host_bits = bits - *length;
  if (exceeds_limit(host_bits)) {
    return "network would expand to " + describe_count(host_bits) + " addresses (limit " +
           std::to_string(kMaxCidrAddresses) + ")";
  }
  target.kind = TargetKind::cidr;
  target.host = network_of(*address, *length).text();
  target.prefix_length = *length;
  return std::nullopt;
}

}  // namespace targets_detail

std::vector<Endpoint> expand_cidr(const Target& target) {
  using namespace targets_detail;
  // Only targets made by parse_target are expected; anything else expands to nothing.
  if (target.kind != TargetKind::cidr) return {};
  const bool ipv6 = target.host.find(':') != std::string::npos;
  const auto address = ipv6 ? parse_ipv6(target.host) : parse_ipv4(target.host);
  if (!address || target.prefix_length < 0 || target.prefix_length > address->bit_count()) {
    return {};
  }
  const int host_bits = address->bit_count() - target.prefix_length;
  if (exceeds_limit(host_bits)) return {};

  const IpAddress network = network_of(*address, target.prefix_length);
  const std::uint64_t count = std::uint64_t{1} << host_bits;
  std::vector<Endpoint> endpoints;
  endpoints.reserve(count);
  for (std::uint64_t offset = 0; offset < count; ++offset) {
    Endpoint endpoint;
    endpoint.address = address_at(network, offset).text();
    endpoint.port = target.port;
    endpoint.implicit_tls = target.implicit_tls;
    endpoint.ipv6 = ipv6;
    endpoint.targets = {target.spec};
    endpoints.push_back(std::move(endpoint));
  }
  return endpoints;
}

}  // namespace relayaudit
