// Plain-text tables for the mx and dnsbl commands: padded columns, terminal-safe cells.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace relayaudit::dns_detail {

// Bytes outside printable ASCII (TXT records are raw bytes) as \DDD, like dig prints them.
std::string printable(std::string_view text);

// The first row is the header; every column but the last is padded to its widest cell.
std::string format_table(const std::vector<std::vector<std::string>>& rows);

}  // namespace relayaudit::dns_detail
