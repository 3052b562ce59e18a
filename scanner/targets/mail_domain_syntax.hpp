// Syntax of a mail domain given by the user (--mail-domain, mx, dnsbl zones, targets files).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace relayaudit {

// What is wrong with a mail domain given on the command line, if anything (an address, a port,
// bad labels).
std::optional<std::string> mail_domain_problem(std::string_view domain);

}  // namespace relayaudit
