// Numeric IPv4/IPv6 addresses for the target parser: strict parsing, canonical text, prefix masks.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace relayaudit::targets_detail {

struct IpAddress {
  bool ipv6 = false;
  std::array<unsigned char, 16> bytes{};  // network order; IPv4 uses the first 4

  int bit_count() const { return ipv6 ? 128 : 32; }
  std::string text() const;  // canonical, as inet_ntop writes it
};

// Strict dotted quad (inet_pton: no leading zeros, no short forms).
std::optional<IpAddress> parse_ipv4(std::string_view text);
// Any form inet_pton(AF_INET6) accepts; zone ids are the caller's concern.
std::optional<IpAddress> parse_ipv6(std::string_view text);

// Clears every bit after the first `prefix_length` (the network address of the range).
IpAddress network_of(IpAddress address, int prefix_length);

// The address `offset` places after `network`, for offsets within the host bits.
IpAddress address_at(const IpAddress& network, std::uint64_t offset);

}  // namespace relayaudit::targets_detail
