// Which DNS servers to ask: "ip:port" specs from the command line, or resolv.conf's nameservers.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace relayaudit {

inline constexpr std::uint16_t kDnsPort = 53;
inline constexpr const char* kDefaultResolvConf = "/etc/resolv.conf";

struct DnsServer {
  std::string address;  // numeric, as given (an IPv6 scope id kept)
  std::uint16_t port = kDnsPort;
  bool ipv6 = false;
  sockaddr_storage socket_address{};  // ready for libuv

  std::string text() const;  // "127.0.0.1:53", "[::1]:53"
};

// "127.0.0.1", "127.0.0.1:5353", "::1", "[::1]", "[::1]:5353"; else what is wrong with it.
std::variant<DnsServer, std::string> parse_dns_server(std::string_view spec);
// What is wrong with the first bad spec of a --resolver list, if any (parse_dns_server's words).
std::optional<std::string> dns_servers_problem(const std::vector<std::string>& specs);

// Every "nameserver ADDRESS" line of a resolv.conf text (port 53); other lines are ignored.
// An error names the line; a text without any nameserver is an error.
std::variant<std::vector<DnsServer>, std::string> parse_resolv_conf(std::string_view text);
// The same, read from `path` (an unreadable file is an error that names it).
std::variant<std::vector<DnsServer>, std::string> read_resolv_conf(const std::string& path);

// Same endpoint (family, address, port).
bool same_socket_address(const sockaddr* a, const sockaddr* b);

}  // namespace relayaudit
