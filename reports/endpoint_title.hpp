// How a person names an endpoint in a report: what the user asked for, the server's own name,
// and the address and port it was reached at.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace relayaudit {

// The name the server gives itself: its EHLO reply's domain, else the host of its banner
// ("220 mx1.example.com ESMTP" -> "mx1.example.com", only when that word is a domain name);
// "" when it gave neither. Visible text.
std::string server_name(const nlohmann::json& endpoint);

// "example.com, MX mx1.example.com": the targets as written that say more than the address, and
// the MX or host name DNS gave; "" when there is nothing but the address. Visible text.
std::string names_as_asked(const nlohmann::json& endpoint);

// "example.com, MX mx1.example.com at 192.0.2.1:25", "127.0.0.1:2525, server
// mx.lab.example": the targets as written (those that are not just the address), the MX or host
// name DNS gave, "at" the address:port, and the server's own name when it differs. Visible text.
std::string endpoint_title(const nlohmann::json& endpoint);

}  // namespace relayaudit
