// Per-domain results: each mail-domain target's MX map, the endpoints behind it, their worst
// verdict, and the findings that concern the domain (an MX that refuses its mail).
#pragma once

#include <nlohmann/json.hpp>

#include <string>

#include "reports/endpoint_digest.hpp"
#include "results/audit_result.hpp"

namespace relayaudit {

// Domain verdicts beyond the endpoint ones: a null MX accepts no mail on purpose; a DNS error
// left nothing to audit.
inline constexpr const char* kDomainNoMail = "no-mail";
inline constexpr const char* kDomainDnsError = "dns-error";

// The "domains" array of the results document, in target order, for the endpoints `endpoints`
// (of `result`, only its domains are read).
nlohmann::json domains_json(const ScanResult& result, const std::vector<EndpointDigest>& endpoints);

// The same for the endpoints held in `result` (its endpoints and resumed_endpoints).
nlohmann::json domains_json(const ScanResult& result);

// The "dnsbl" array of one endpoint.
nlohmann::json dnsbl_json(const std::vector<DnsblResult>& listings);

// True when any of the endpoint's DNSBL checks found it listed.
bool dnsbl_listed(const std::vector<DnsblResult>& listings);

}  // namespace relayaudit
