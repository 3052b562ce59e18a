// Roll-up of a scan: counts per verdict and the run verdict (the worst of every endpoint).
#include "reports/summary.hpp"
#include "reports/domain_results.hpp"

namespace relayaudit {

ScanSummary summarize(const ScanResult& result) {
  ScanSummary summary;
  summary.endpoints = static_cast<int>(result.endpoints.size());
  summary.unresolved = static_cast<int>(result.unresolved.size());
  summary.domains = static_cast<int>(result.domains.size());
  for (const auto& endpoint : result.endpoints) {
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
    if (dnsbl_listed(endpoint.dnsbl)) ++summary.dnsbl_listed;
    summary.tests += static_cast<int>(endpoint.tests.size());
    for (const auto& test : endpoint.tests) {
      if (test.verdict == TestVerdict::fail) ++summary.tests_failed;
    }
  }
  for (const auto& endpoint : result.resumed_endpoints) {
    const auto verdict =
        endpoint_verdict_from_string(endpoint.value("verdict", std::string("inconclusive")))
            .value_or(EndpointVerdict::inconclusive);
    ++summary.endpoints;
    ++(verdict == EndpointVerdict::open_relay     ? summary.open_relay
       : verdict == EndpointVerdict::closed       ? summary.closed
       : verdict == EndpointVerdict::inconclusive ? summary.inconclusive
                                                  : summary.unreachable);
    summary.verdict = worst_of(summary.verdict, verdict);
    for (const auto& listing : endpoint.value("dnsbl", nlohmann::json::array())) {
      if (listing.value("status", std::string()) == "listed") {
        ++summary.dnsbl_listed;
        break;
      }
    }
    for (const auto& test : endpoint.value("tests", nlohmann::json::array())) {
      ++summary.tests;
      if (test.value("verdict", std::string()) == "fail") ++summary.tests_failed;
    }
  }
  // A target we could not even resolve is a gateway nobody audited: the run cannot be closed.
  if (!result.unresolved.empty()) {
    summary.verdict = worst_of(summary.verdict, EndpointVerdict::unreachable);
  }
  return summary;
}

}  // namespace relayaudit
