// DNSBL results as JSON and as a table, and a whole `relayaudit dnsbl` run on its own loop.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

#include "dns/dnsbl.hpp"
#include "dns/resolver.hpp"

namespace relayaudit {

// {"address", "zone", "query_name", "status", "return_codes", "reason", "error", "dns_status"};
// reason and error are null when empty.
nlohmann::json dnsbl_result_json(const DnsblResult& result);
// {"results": [...]}
nlohmann::json dnsbl_results_json(const std::vector<DnsblResult>& results);
// ADDRESS ZONE STATUS CODES REASON
std::string dnsbl_table(const std::vector<DnsblResult>& results);

struct DnsblLookupRun {
  std::optional<std::string> setup_error;
  std::vector<DnsblResult> results;  // address-major: every zone of the first address, ...
};

// Checks every address on every zone at once on a loop of its own.
DnsblLookupRun run_dnsbl_lookup(const std::vector<std::string>& addresses,
                                const std::vector<std::string>& zones, DnsResolverOptions options);

}  // namespace relayaudit
