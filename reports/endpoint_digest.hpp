// What stays in memory of a finished endpoint while its full result waits on disk: enough for
// the run summary, the domain verdicts and the exit code.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "results/audit_result.hpp"

namespace relayaudit {

struct EndpointDigest {
  std::string key;  // "address:port", as the document writes it
  EndpointVerdict verdict = EndpointVerdict::inconclusive;
  int tests = 0;
  int tests_failed = 0;
  bool dnsbl_listed = false;
  // Findings about a mail domain (mx-refuses-domain-mail), as document objects: the domains
  // section lists them under their domain.
  nlohmann::json domain_findings = nlohmann::json::array();
  // The endpoint's lines of the terminal summary (endpoint_summary_text), when they were rendered
  // while its result was at hand; "" for an endpoint of an earlier run (--resume).
  std::string summary_text;
};

EndpointDigest digest_of(const EndpointResult& endpoint);

// From an endpoint object of the results document (a resumed stream line, a loaded document);
// a missing or unknown verdict reads as inconclusive.
EndpointDigest digest_of(const nlohmann::json& endpoint);

}  // namespace relayaudit
