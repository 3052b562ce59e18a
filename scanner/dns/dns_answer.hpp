// The DNS vocabulary shared by the resolver and its users: answer status, records, answers.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace relayaudit {

// Record types the scanner asks for (the values of LDNS_RR_TYPE_*).
inline constexpr std::uint16_t kDnsTypeA = 1;
inline constexpr std::uint16_t kDnsTypeCname = 5;
inline constexpr std::uint16_t kDnsTypeMx = 15;
inline constexpr std::uint16_t kDnsTypeTxt = 16;
inline constexpr std::uint16_t kDnsTypeAaaa = 28;

// How a lookup ended. Stable lowercase-hyphen names via to_string().
enum class DnsStatus {
  ok,             // records of the asked type (possibly behind CNAMEs)
  nxdomain,       // the name (or a CNAME target) does not exist
  nodata,         // the name exists, no record of that type
  servfail,       // server failure, lame/referral answer, CNAME loop or chain too long
  refused,        // the server refused the query (e.g. not authoritative, not recursing for us)
  timeout,        // no answer within the timeout on any attempt
  malformed,      // an answer that does not parse, or a name that cannot be asked
  network_error,  // a socket error (send, connect, reset) on the last attempt
  cancelled,      // the resolver was closed before the answer came
};

std::string_view to_string(DnsStatus status);

struct DnsRecord {
  std::string name;  // owner, lowercase, no trailing dot
  std::uint16_t type = 0;
  std::uint32_t ttl = 0;
  // A/AAAA: address text (inet_ntop form); MX: exchange, no trailing dot ("." for a null MX);
  // CNAME: target; TXT: the character-strings concatenated, raw bytes.
  std::string text;
  std::uint16_t preference = 0;  // MX only
};

struct DnsAnswer {
  DnsStatus status = DnsStatus::servfail;
  std::string reason;                    // why, for every status but ok; names the server
  std::vector<DnsRecord> records;        // of the asked type, owned by the end of the CNAME chain
  std::vector<std::string> cname_chain;  // CNAME targets followed, in order
  bool truncated_retried_over_tcp = false;  // some UDP answer on the way was truncated
};

using DnsAnswerCallback = std::function<void(DnsAnswer)>;

}  // namespace relayaudit
