// SARIF 2.1.0 for code-scanning dashboards (GitHub): a rule per script, an alert per open relay.
#pragma once

#include <cstddef>
#include <string>

#include <nlohmann/json.hpp>

#include "reports/atomic_file.hpp"
#include "reports/endpoint_source.hpp"

namespace relayaudit {

// GitHub code scanning takes at most 25,000 results per run (and shows the 5,000 most severe).
inline constexpr std::size_t kSarifMaxResults = 25000;

// Renders a results document (reports/results.schema.json) as a SARIF 2.1.0 log with one run,
// as GitHub code scanning accepts it ($schema, tool informationUri, per-rule helpUri and
// help.markdown; checked by Microsoft's SARIF multitool with the Ghas and Sarif rules):
// - tool.driver: relayaudit and its version, with a rule per script the document names (its
//   title, and the built-in library's description, what it catches, the settings known to
//   open it and its references when the id is a built-in one), per finding id, and the
//   endpoint-level rules results are grouped under (sarif_rules.hpp). A rule's level follows
//   its severity: critical/high -> error, medium -> warning, low/info -> note.
// - at most one result per endpoint and rule (sarif_results.hpp): an alert per open endpoint
//   naming every relay attempt it accepted, one for its TLS findings, one for the domains it
//   refuses, one note for its probe findings. Each is located at the endpoint and carries
//   partialFingerprints derived from endpoint and rule only, so a code-scanning service keeps
//   one alert per endpoint and rule across runs instead of a new one per scan.
// Worst case, 10,000 endpoints with 1,000 open: 1,000 relay alerts + 3 x 10,000 finding
// results = 31,000 > kSarifMaxResults, so the least severe are left out (probe notes first;
// the 1,000 open relays are errors and always kept), and a toolExecutionNotification says how
// many. With 30 accepted scripts per open relay that log is 29.5 MB, 1.2 MB gzipped (GitHub
// takes 10 MB gzipped): SarifReport.TenThousandEndpointsStayInsideGitHubsLimits measures it.
// Server text in messages is shown through visible_text, with SARIF's link brackets escaped.
std::string render_sarif(const nlohmann::json& results);

// The same, written piece by piece into `sink`, the endpoints read from `endpoints` (twice: the
// rules come first); `results` is the document, whose own "endpoints" are not read.
bool write_sarif(const nlohmann::json& results, const EndpointSource& endpoints,
                 const ChunkSink& sink);

}  // namespace relayaudit
