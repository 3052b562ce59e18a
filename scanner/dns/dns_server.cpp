// Parsing of resolver specs and resolv.conf into socket addresses.
#include "dns/dns_server.hpp"

#include <uv.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <fstream>
#include <sstream>

namespace relayaudit {
namespace {

std::variant<std::uint16_t, std::string> parse_port_text(std::string_view text) {
  unsigned value = 0;
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end || value == 0 || value > 65535) {
    return "port '" + std::string(text) + "' is not a number from 1 to 65535";
  }
  return static_cast<std::uint16_t>(value);
}

std::variant<DnsServer, std::string> make_server(std::string address, std::uint16_t port,
                                                 bool want_ipv6) {
  DnsServer server;
  server.address = std::move(address);
  server.port = port;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&server.socket_address);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&server.socket_address);
  if (!want_ipv6 && uv_ip4_addr(server.address.c_str(), port, v4) == 0) return server;
  // uv_ip6_addr accepts "fe80::1%eth0"; an IPv4 text must not slip through as IPv6.
  if (server.address.find(':') != std::string::npos &&
      uv_ip6_addr(server.address.c_str(), port, v6) == 0) {
    server.ipv6 = true;
    return server;
  }
  return "'" + server.address + "' is not a numeric IPv4 or IPv6 address";
}

std::string_view trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t\r");
  return text.substr(first, last - first + 1);
}

}  // namespace

std::string DnsServer::text() const {
  if (ipv6) return "[" + address + "]:" + std::to_string(port);
  return address + ":" + std::to_string(port);
}

std::variant<DnsServer, std::string> parse_dns_server(std::string_view spec) {
  const std::string quoted = "resolver '" + std::string(spec) + "': ";
  if (spec.empty()) return quoted + "empty";
  std::variant<DnsServer, std::string> result = std::string();
  if (spec.front() == '[') {
    const auto close = spec.find(']');
    if (close == std::string_view::npos) return quoted + "missing ']' after the IPv6 address";
    const auto rest = spec.substr(close + 1);
    std::uint16_t port = kDnsPort;
    if (!rest.empty()) {
      if (rest.front() != ':') return quoted + "expected ':PORT' after ']'";
      auto parsed = parse_port_text(rest.substr(1));
      if (auto* error = std::get_if<std::string>(&parsed)) return quoted + *error;
      port = std::get<std::uint16_t>(parsed);
    }
    result = make_server(std::string(spec.substr(1, close - 1)), port, true);
  } else if (std::count(spec.begin(), spec.end(), ':') == 1) {
    const auto colon = spec.find(':');
    auto parsed = parse_port_text(spec.substr(colon + 1));
    if (auto* error = std::get_if<std::string>(&parsed)) return quoted + *error;
    result =
        make_server(std::string(spec.substr(0, colon)), std::get<std::uint16_t>(parsed), false);
  } else {
    // No port: a bare IPv4 address, or a bare IPv6 address (several colons).
    result = make_server(std::string(spec), kDnsPort, false);
  }
  if (auto* error = std::get_if<std::string>(&result)) return quoted + *error;
  return result;
}

std::optional<std::string> dns_servers_problem(const std::vector<std::string>& specs) {
  for (const auto& spec : specs) {
    auto parsed = parse_dns_server(spec);
    if (auto* error = std::get_if<std::string>(&parsed)) return *error;
  }
  return std::nullopt;
}

std::variant<std::vector<DnsServer>, std::string> parse_resolv_conf(std::string_view text) {
  std::vector<DnsServer> servers;
  std::size_t line_number = 0;
  while (!text.empty()) {
    const auto end = text.find('\n');
    auto line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    ++line_number;
    line = trim(line.substr(0, line.find_first_of("#;")));
    constexpr std::string_view keyword = "nameserver";
    if (line.substr(0, keyword.size()) != keyword || line.size() == keyword.size() ||
        (line[keyword.size()] != ' ' && line[keyword.size()] != '\t')) {
      continue;
    }
    const auto address = trim(line.substr(keyword.size()));
    auto server = make_server(std::string(address), kDnsPort, false);
    if (auto* error = std::get_if<std::string>(&server)) {
      return "line " + std::to_string(line_number) + ": nameserver " + *error;
    }
    servers.push_back(std::get<DnsServer>(std::move(server)));
  }
  if (servers.empty()) return std::string("no 'nameserver' line");
  return servers;
}

std::variant<std::vector<DnsServer>, std::string> read_resolv_conf(const std::string& path) {
  std::ifstream file(path);
  if (!file) return path + ": cannot read (" + std::strerror(errno) + ")";
  std::ostringstream content;
  content << file.rdbuf();
  auto servers = parse_resolv_conf(content.str());
  if (auto* error = std::get_if<std::string>(&servers)) return path + ": " + *error;
  return servers;
}

bool same_socket_address(const sockaddr* a, const sockaddr* b) {
  if (a->sa_family != b->sa_family) return false;
  if (a->sa_family == AF_INET) {
    const auto* x = reinterpret_cast<const sockaddr_in*>(a);
    const auto* y = reinterpret_cast<const sockaddr_in*>(b);
    return x->sin_port == y->sin_port && x->sin_addr.s_addr == y->sin_addr.s_addr;
  }
  if (a->sa_family == AF_INET6) {
    const auto* x = reinterpret_cast<const sockaddr_in6*>(a);
    const auto* y = reinterpret_cast<const sockaddr_in6*>(b);
    return x->sin6_port == y->sin6_port &&
           std::memcmp(&x->sin6_addr, &y->sin6_addr, sizeof(x->sin6_addr)) == 0;
  }
  return false;
}

}  // namespace relayaudit
