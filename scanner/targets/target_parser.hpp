// Parsing of target specs from arguments and targets files, with errors that name the input.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "targets/target.hpp"

namespace relayaudit {

struct TargetError {
  std::string message;  // e.g. "fleet.txt:7: 'mx1:99999': port out of range (1-65535)"
};

// "localhost" or a name under it (lowercase): loopback, never asked of DNS (RFC 6761 6.3).
bool is_localhost_name(std::string_view name);

// Largest number of addresses one CIDR target may expand to.
inline constexpr std::uint64_t kMaxCidrAddresses = 65536;

// Parses a mail domain (a bare name), host:port, localhost[:port], IPv4[:port], [IPv6]:port,
// bare IPv6, or a CIDR (a.b.c.d/n, v6/n).
// `origin` ("argument", "fleet.txt:7") prefixes every error message.
std::variant<Target, TargetError> parse_target(std::string_view spec, std::string_view origin,
                                               std::uint16_t default_port = 25);

// Bounds of a targets file: /dev/zero or a runaway generator must fail fast, not fill memory.
inline constexpr std::size_t kMaxTargetLineBytes = 4096;
inline constexpr std::uintmax_t kMaxTargetFileBytes = 64 * 1024 * 1024;
// Errors kept per file; the rest are only counted (a file of a million bad lines).
inline constexpr std::size_t kMaxKeptTargetErrors = 100;

struct ParsedTargets {
  std::vector<Target> targets;
  std::vector<TargetError> errors;  // the first kMaxKeptTargetErrors bad lines
  std::size_t errors_not_kept = 0;  // bad lines past those
};

// One target per line, optionally followed by "mail-domain=DOMAIN" (host, address and network
// targets: the domain they receive mail for); '#' starts a comment; blank lines are skipped. A file
// that cannot be read is an error naming the file; so is a line longer than kMaxTargetLineBytes or
// a file larger than kMaxTargetFileBytes ("file:line: ..."), and reading stops there. Any readable
// file works, a FIFO or /dev/stdin included; "-" is standard input (named "stdin" in errors).
ParsedTargets parse_target_file(const std::filesystem::path& file, std::uint16_t default_port = 25);

// Every address of a CIDR target, as endpoints (network and broadcast included for /31, /32).
std::vector<Endpoint> expand_cidr(const Target& target);

}  // namespace relayaudit
