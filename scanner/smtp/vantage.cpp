// Vantage names and the client address check shared by --xclient and --proxy-source.
#include "smtp/vantage.hpp"

#include <arpa/inet.h>

#include <array>

namespace relayaudit {

std::string_view to_string(VantageMode mode) {
  switch (mode) {
    case VantageMode::direct:
      return "direct";
    case VantageMode::xclient:
      return "xclient";
    case VantageMode::proxy_v1:
      return "proxy-v1";
    case VantageMode::proxy_v2:
      return "proxy-v2";
  }
  return "direct";
}

std::optional<ParsedClient> parse_vantage_client(std::string_view text, std::string& problem) {
  const std::string address(text);
  std::array<unsigned char, 16> bytes{};
  std::array<char, INET6_ADDRSTRLEN> canonical{};
  if (inet_pton(AF_INET, address.c_str(), bytes.data()) == 1) {
    inet_ntop(AF_INET, bytes.data(), canonical.data(), canonical.size());
    return ParsedClient{canonical.data(), false};
  }
  // XCLIENT writes IPv6 as "IPV6:..."; the prefix is accepted here too, and added when sent.
  std::string v6 = address;
  if (v6.size() > 5 && (v6.compare(0, 5, "IPV6:") == 0 || v6.compare(0, 5, "ipv6:") == 0)) {
    v6.erase(0, 5);
  }
  if (inet_pton(AF_INET6, v6.c_str(), bytes.data()) == 1) {
    inet_ntop(AF_INET6, bytes.data(), canonical.data(), canonical.size());
    return ParsedClient{canonical.data(), true};
  }
  problem = "not an IP address (examples: 203.0.113.7, 2001:db8::7)";
  return std::nullopt;
}

std::string describe_vantage(const Vantage& vantage) {
  if (!vantage.simulated()) return "direct (the scanner's own address)";
  return std::string(to_string(vantage.mode)) + " as client " + vantage.client;
}

}  // namespace relayaudit
