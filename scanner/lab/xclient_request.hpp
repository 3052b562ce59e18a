// The lab's side of Postfix XCLIENT: which attributes a command sets, or the 501 it earns.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace relayaudit {

struct XclientRequest {
  std::optional<std::string> addr;  // ADDR, "IPV6:" removed, xtext decoded
  std::optional<std::string> helo;  // HELO
  std::string error;                // a 501 reply line (no CRLF) when the command is malformed
};

XclientRequest parse_xclient_request(std::string_view arguments);

// The attributes the lab advertises, as Postfix 3.7 does.
inline constexpr std::string_view kLabXclientAttributes =
    "NAME ADDR PORT PROTO HELO LOGIN DESTADDR DESTPORT";

// mynetworks = 127.0.0.0/8 (and ::1): loopback, also as an IPv4-mapped IPv6 address.
bool is_loopback_client(std::string_view ip);

}  // namespace relayaudit
