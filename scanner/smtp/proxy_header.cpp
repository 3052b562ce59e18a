// PROXY protocol v1 ("PROXY TCP4 src dst sport dport\r\n") and v2 (signature, 0x21, family,
// length).
#include "smtp/proxy_header.hpp"

#include <arpa/inet.h>

#include <array>
#include <cstring>

namespace relayaudit {
namespace {

using AddressBytes = std::array<unsigned char, 16>;

constexpr unsigned char kProxyV2Signature[12] = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D,
                                                 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};

// IPv4 bytes as ::ffff:a.b.c.d (RFC 4291 §2.5.5.2).
AddressBytes mapped_v6(const unsigned char* v4) {
  AddressBytes out{};
  out[10] = 0xff;
  out[11] = 0xff;
  std::memcpy(out.data() + 12, v4, 4);
  return out;
}

std::string address_text(const AddressBytes& bytes, bool ipv6) {
  char text[INET6_ADDRSTRLEN] = {};
  inet_ntop(ipv6 ? AF_INET6 : AF_INET, bytes.data(), text, sizeof text);
  return text;
}

void append_port(std::string& out, std::uint16_t port) {
  out += static_cast<char>(port >> 8);
  out += static_cast<char>(port & 0xff);
}

}  // namespace

ProxyHeader proxy_header(const Vantage& vantage, std::uint16_t source_port,
                         const sockaddr_storage& destination) {
  AddressBytes source{};
  inet_pton(vantage.client_ipv6 ? AF_INET6 : AF_INET, vantage.client.c_str(), source.data());
  AddressBytes target{};
  bool target_v6 = destination.ss_family == AF_INET6;
  std::uint16_t target_port = 0;
  if (target_v6) {
    const auto& in6 = reinterpret_cast<const sockaddr_in6&>(destination);
    std::memcpy(target.data(), &in6.sin6_addr, 16);
    target_port = ntohs(in6.sin6_port);
  } else {
    const auto& in4 = reinterpret_cast<const sockaddr_in&>(destination);
    std::memcpy(target.data(), &in4.sin_addr, 4);
    target_port = ntohs(in4.sin_port);
  }
  const bool ipv6 = vantage.client_ipv6 || target_v6;
  if (ipv6 && !vantage.client_ipv6) source = mapped_v6(source.data());
  if (ipv6 && !target_v6) target = mapped_v6(target.data());
  const std::string family = ipv6 ? "TCP6" : "TCP4";
  const std::string readable = family + " " + address_text(source, ipv6) + " " +
                               address_text(target, ipv6) + " " + std::to_string(source_port) +
                               " " + std::to_string(target_port);
  ProxyHeader header;
  if (vantage.mode == VantageMode::proxy_v1) {
    header.bytes = "PROXY " + readable + "\r\n";
    header.note = "sent PROXY protocol v1 header: PROXY " + readable;
    return header;
  }
  const std::size_t address_bytes = ipv6 ? 16 : 4;
  header.bytes.assign(reinterpret_cast<const char*>(kProxyV2Signature), sizeof kProxyV2Signature);
  header.bytes += static_cast<char>(0x21);                // version 2, PROXY command
  header.bytes += static_cast<char>(ipv6 ? 0x21 : 0x11);  // AF_INET6 or AF_INET, STREAM
  append_port(header.bytes, static_cast<std::uint16_t>(2 * address_bytes + 4));
  header.bytes.append(reinterpret_cast<const char*>(source.data()), address_bytes);
  header.bytes.append(reinterpret_cast<const char*>(target.data()), address_bytes);
  append_port(header.bytes, source_port);
  append_port(header.bytes, target_port);
  header.note = "sent PROXY protocol v2 header (" + std::to_string(header.bytes.size()) +
                " bytes): " + readable;
  return header;
}

}  // namespace relayaudit
