// Numeric address helpers over inet_pton/inet_ntop, so every address text is canonical.
#include "targets/ip_address.hpp"

#include <arpa/inet.h>

namespace relayaudit::targets_detail {

namespace {

// inet_pton needs a NUL-terminated string; the spec is a view into a larger line.
std::optional<IpAddress> parse(std::string_view text, bool ipv6) {
  IpAddress address;
  address.ipv6 = ipv6;
  const std::string copy(text);
  if (inet_pton(ipv6 ? AF_INET6 : AF_INET, copy.c_str(), address.bytes.data()) != 1) {
    return std::nullopt;
  }
  return address;
}

}  // namespace

std::string IpAddress::text() const {
  char buffer[INET6_ADDRSTRLEN] = {};
  inet_ntop(ipv6 ? AF_INET6 : AF_INET, bytes.data(), buffer, sizeof buffer);
  return buffer;
}

std::optional<IpAddress> parse_ipv4(std::string_view text) {
  return parse(text, false);
}

std::optional<IpAddress> parse_ipv6(std::string_view text) {
  return parse(text, true);
}

IpAddress network_of(IpAddress address, int prefix_length) {
  for (int bit = prefix_length; bit < address.bit_count(); ++bit) {
    address.bytes[bit / 8] &= static_cast<unsigned char>(~(0x80u >> (bit % 8)));
  }
  return address;
}

IpAddress address_at(const IpAddress& network, std::uint64_t offset) {
  IpAddress address = network;
  // Add from the last byte with carry; the offset fits in the host bits, so nothing overflows.
  int index = address.bit_count() / 8 - 1;
  unsigned carry = 0;
  while (index >= 0 && (offset != 0 || carry != 0)) {
    const unsigned sum = address.bytes[index] + static_cast<unsigned>(offset & 0xff) + carry;
    address.bytes[index] = static_cast<unsigned char>(sum & 0xff);
    carry = sum >> 8;
    offset >>= 8;
    --index;
  }
  return address;
}

}  // namespace relayaudit::targets_detail
