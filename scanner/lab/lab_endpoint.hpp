// How the lab writes a listening address: as a target ("[::1]:25") and as an SMTP address literal.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace relayaudit {

// An address with a ':' is IPv6; the lab binds only literal addresses, never names.
bool is_ipv6_literal(std::string_view address);

// "127.0.0.1:2525" or "[::1]:2525".
std::string format_endpoint(std::string_view address, std::uint16_t port);

// RFC 5321 address literal of the gateway: "[127.0.0.1]" or "[IPv6:::1]".
std::string smtp_address_literal(std::string_view address);

}  // namespace relayaudit
