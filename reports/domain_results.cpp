// The "domains" section of results.json, with verdicts rolled up from the endpoints.
#include "reports/domain_results.hpp"

#include <algorithm>
#include <map>
#include <optional>

#include "dns/mx_report.hpp"
#include "reports/safe_text.hpp"
#include "reports/summary.hpp"

namespace relayaudit {
namespace {

using json = nlohmann::json;

struct AuditedEndpoint {
  std::string verdict;
  const json* findings = nullptr;
};

// Endpoint key -> its verdict and the findings about a mail domain.
std::map<std::string, AuditedEndpoint> audited_endpoints(
    const std::vector<EndpointDigest>& endpoints) {
  std::map<std::string, AuditedEndpoint> audited;
  for (const auto& endpoint : endpoints) {
    audited[endpoint.key] = {std::string(to_string(endpoint.verdict)), &endpoint.domain_findings};
  }
  return audited;
}

std::string endpoint_key(const MxAddress& address, std::uint16_t port) {
  Endpoint endpoint;
  endpoint.address = address.address;
  endpoint.ipv6 = address.ipv6;
  endpoint.port = port;
  return endpoint.key();
}

std::string domain_verdict(const ScannedDomain& scanned, const std::vector<std::string>& verdicts) {
  if (scanned.map.null_mx) return kDomainNoMail;
  if (scanned.map.hosts.empty()) return kDomainDnsError;
  std::optional<EndpointVerdict> worst;
  for (const auto& text : verdicts) {
    const auto verdict = endpoint_verdict_from_string(text).value_or(EndpointVerdict::inconclusive);
    worst = worst ? worst_of(*worst, verdict) : verdict;
  }
  // An MX host without an address is a gateway nobody could audit.
  const bool host_unresolved =
      std::any_of(scanned.map.hosts.begin(), scanned.map.hosts.end(),
                  [](const MxHost& host) { return host.addresses.empty(); });
  if (host_unresolved || !worst) {
    worst = worst ? worst_of(*worst, EndpointVerdict::unreachable) : EndpointVerdict::unreachable;
  }
  return std::string(to_string(*worst));
}

json domain_json(const ScannedDomain& scanned,
                 const std::map<std::string, AuditedEndpoint>& audited) {
  const MailDomain& map = scanned.map;
  json out = mail_domain_json(map);
  std::uint16_t primary = 0;
  if (!map.hosts.empty()) primary = map.hosts.front().preference;  // sorted by preference
  json endpoints = json::array();
  json findings = json::array();
  std::vector<std::string> verdicts;
  for (std::size_t h = 0; h < map.hosts.size(); ++h) {
    const MxHost& host = map.hosts[h];
    for (std::size_t a = 0; a < host.addresses.size(); ++a) {
      const std::string key = endpoint_key(host.addresses[a], scanned.port);
      out["hosts"][h]["addresses"][a]["endpoint"] = key;
      if (std::find(endpoints.begin(), endpoints.end(), key) != endpoints.end()) continue;
      endpoints.push_back(key);
      const auto found = audited.find(key);
      if (found == audited.end()) {
        // Interrupted, or past --max-domain-endpoints: a gateway of the domain left unproven.
        verdicts.emplace_back(to_string(EndpointVerdict::inconclusive));
        continue;
      }
      verdicts.push_back(found->second.verdict);
      for (const json& finding : *found->second.findings) {
        if (finding.value("domain", std::string()) != map.domain) continue;
        json entry = finding;
        entry["endpoint"] = key;
        entry["mx"] = host.name;
        entry["preference"] = host.preference;
        entry["backup_mx"] = host.preference > primary;
        findings.push_back(std::move(entry));
      }
    }
  }
  out["target"] = escape_invalid_utf8(scanned.target);
  out["origin"] = escape_invalid_utf8(scanned.origin);
  out["port"] = scanned.port;
  out["endpoints"] = std::move(endpoints);
  out["verdict"] = domain_verdict(scanned, verdicts);
  out["findings"] = std::move(findings);
  return out;
}

}  // namespace

json domains_json(const ScanResult& result, const std::vector<EndpointDigest>& endpoints) {
  json domains = json::array();
  if (result.domains.empty()) return domains;
  const auto audited = audited_endpoints(endpoints);
  for (const auto& scanned : result.domains) domains.push_back(domain_json(scanned, audited));
  return domains;
}

json dnsbl_json(const std::vector<DnsblResult>& listings) {
  json out = json::array();
  for (const auto& listing : listings) {
    out.push_back({{"zone", listing.zone},
                   {"query", listing.query_name},
                   {"status", to_string(listing.status)},
                   {"return_codes", listing.return_codes},
                   {"reason", listing.reason.empty() ? json(nullptr)
                                                     : json(escape_invalid_utf8(listing.reason))},
                   {"error", listing.error.empty() ? json(nullptr)
                                                   : json(escape_invalid_utf8(listing.error))}});
  }
  return out;
}

json domains_json(const ScanResult& result) {
  return domains_json(result, digests_of(result));
}

bool dnsbl_listed(const std::vector<DnsblResult>& listings) {
  return std::any_of(listings.begin(), listings.end(), [](const DnsblResult& listing) {
    return listing.status == DnsblStatus::listed;
  });
}

}  // namespace relayaudit
