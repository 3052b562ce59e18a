// Roll-up of a scan: counts per verdict and the run verdict (the worst of every endpoint).
#include "reports/summary.hpp"

namespace relayaudit {

ScanSummary summarize(const ScanResult& result, const std::vector<EndpointDigest>& endpoints) {
  ScanSummary summary;
  summary.endpoints = static_cast<int>(endpoints.size());
  summary.unresolved = static_cast<int>(result.unresolved.size());
  summary.domains = static_cast<int>(result.domains.size());
  for (const auto& endpoint : endpoints) {
    switch (endpoint.verdict) {
      case EndpointVerdict::open_relay:
        ++summary.open_relay;
        break;
      case EndpointVerdict::closed:
        ++summary.closed;
        break;
      case EndpointVerdict::inconclusive:
        ++summary.inconclusive;
        break;
      case EndpointVerdict::unreachable:
        ++summary.unreachable;
        break;
    }
    summary.verdict = worst_of(summary.verdict, endpoint.verdict);
    if (endpoint.dnsbl_listed) ++summary.dnsbl_listed;
    summary.tests += endpoint.tests;
    summary.tests_failed += endpoint.tests_failed;
  }
  // A target we could not even resolve is a gateway nobody audited: the run cannot be closed.
  if (!result.unresolved.empty()) {
    summary.verdict = worst_of(summary.verdict, EndpointVerdict::unreachable);
  }
  return summary;
}

ScanSummary summarize(const ScanResult& result) {
  return summarize(result, digests_of(result));
}

std::vector<EndpointDigest> digests_of(const ScanResult& result) {
  std::vector<EndpointDigest> digests;
  digests.reserve(result.resumed_endpoints.size() + result.endpoints.size());
  for (const auto& endpoint : result.resumed_endpoints) digests.push_back(digest_of(endpoint));
  for (const auto& endpoint : result.endpoints) digests.push_back(digest_of(endpoint));
  return digests;
}

}  // namespace relayaudit
