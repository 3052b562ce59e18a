// Digests of finished endpoints, from the results model or from their document objects.
#include "reports/endpoint_digest.hpp"

#include "reports/domain_results.hpp"
#include "reports/safe_text.hpp"

namespace relayaudit {

EndpointDigest digest_of(const EndpointResult& endpoint) {
  EndpointDigest digest;
  digest.key = escape_invalid_utf8(endpoint.endpoint.key());
  digest.verdict = endpoint.verdict;
  digest.tests = static_cast<int>(endpoint.tests.size());
  for (const auto& test : endpoint.tests) {
    if (test.verdict == TestVerdict::fail) ++digest.tests_failed;
  }
  digest.dnsbl_listed = dnsbl_listed(endpoint.dnsbl);
  for (const auto& finding : endpoint.findings) {
    if (finding.domain.empty()) continue;
    digest.domain_findings.push_back({{"id", escape_invalid_utf8(finding.id)},
                                      {"severity", escape_invalid_utf8(finding.severity)},
                                      {"message", escape_invalid_utf8(finding.message)},
                                      {"domain", escape_invalid_utf8(finding.domain)}});
  }
  return digest;
}

EndpointDigest digest_of(const nlohmann::json& endpoint) {
  EndpointDigest digest;
  digest.key = endpoint.value("endpoint", std::string());
  digest.verdict =
      endpoint_verdict_from_string(endpoint.value("verdict", std::string("inconclusive")))
          .value_or(EndpointVerdict::inconclusive);
  for (const auto& test : endpoint.value("tests", nlohmann::json::array())) {
    ++digest.tests;
    if (test.is_object() && test.value("verdict", std::string()) == "fail") ++digest.tests_failed;
  }
  for (const auto& listing : endpoint.value("dnsbl", nlohmann::json::array())) {
    if (listing.is_object() && listing.value("status", std::string()) == "listed") {
      digest.dnsbl_listed = true;
    }
  }
  for (const auto& finding : endpoint.value("findings", nlohmann::json::array())) {
    if (finding.is_object() && !finding.value("domain", std::string()).empty()) {
      digest.domain_findings.push_back(finding);
    }
  }
  return digest;
}

}  // namespace relayaudit
