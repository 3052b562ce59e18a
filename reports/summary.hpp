// Roll-up of a scan: counts per verdict and the run verdict (the worst of every endpoint).
#pragma once

#include <vector>

#include "reports/endpoint_digest.hpp"
#include "results/audit_result.hpp"

namespace relayaudit {

struct ScanSummary {
  int endpoints = 0;
  int open_relay = 0;
  int closed = 0;
  int inconclusive = 0;
  int unreachable = 0;
  int tests = 0;
  int tests_failed = 0;
  EndpointVerdict verdict = EndpointVerdict::closed;
  int unresolved = 0;    // targets that expanded to no endpoint; they make the run unreachable
  int domains = 0;       // mail-domain targets
  int dnsbl_listed = 0;  // endpoints listed on at least one --dnsbl zone
};

// The endpoints are `endpoints`; of `result`, only the unresolved targets and domains count.
ScanSummary summarize(const ScanResult& result, const std::vector<EndpointDigest>& endpoints);

// The endpoints held in `result` (its endpoints and resumed_endpoints).
ScanSummary summarize(const ScanResult& result);

// Digests of every endpoint `result` holds: resumed ones first, as the document lists them.
std::vector<EndpointDigest> digests_of(const ScanResult& result);

}  // namespace relayaudit
