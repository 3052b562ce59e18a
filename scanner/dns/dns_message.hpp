// DNS messages on the wire, built and parsed by ldns (confined to dns_message.cpp).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "dns/dns_answer.hpp"

namespace relayaudit::dns_detail {

inline constexpr std::uint16_t kEdnsPayloadSize = 1232;  // DNS flag day 2020

// The name in the form answers are compared in: lowercase, escaped as ldns prints it, no
// trailing dot ("." for the root). Nullopt when it is not a valid DNS name.
std::optional<std::string> canonical_dns_name(std::string_view name);

// A query with RD set and, when `edns`, an OPT record advertising `payload_size` bytes.
std::variant<std::vector<std::uint8_t>, std::string> build_query(const std::string& name,
                                                                 std::uint16_t type,
                                                                 std::uint16_t id, bool edns,
                                                                 std::uint16_t payload_size);

// The parts of an answer the resolver looks at.
struct DnsResponse {
  std::uint16_t id = 0;
  bool is_response = false;  // QR
  bool truncated = false;    // TC
  bool authoritative = false;
  std::uint8_t rcode = 0;
  std::string question_name;  // canonical
  std::uint16_t question_type = 0;
  std::uint16_t question_class = 0;
  std::vector<DnsRecord> answers;  // every A, AAAA, MX, TXT and CNAME of the answer section
  bool authority_has_soa = false;
  std::vector<std::string> referral_servers;  // NS names of the authority section
};

inline constexpr std::uint8_t kRcodeNoError = 0;
inline constexpr std::uint8_t kRcodeFormErr = 1;
inline constexpr std::uint8_t kRcodeServFail = 2;
inline constexpr std::uint8_t kRcodeNxDomain = 3;
inline constexpr std::uint8_t kRcodeRefused = 5;

std::string rcode_name(std::uint8_t rcode);

// Parses a message; an error says what ldns could not read.
std::variant<DnsResponse, std::string> parse_response(const std::uint8_t* data, std::size_t size);

}  // namespace relayaudit::dns_detail
