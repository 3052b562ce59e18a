// SARIF 2.1.0 for code-scanning dashboards (GitHub): a rule per script, an alert per open relay.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "reports/atomic_file.hpp"
#include "reports/endpoint_source.hpp"

namespace relayaudit {

// Renders a results document (reports/results.schema.json) as a SARIF 2.1.0 log with one run:
// - tool.driver: relayaudit and its version, with a rule per script the document names (its
//   title, and the built-in library's description, what it catches, the settings known to
//   open it and its references when the id is a built-in one). A rule's level follows its
//   severity: critical/high -> error, medium -> warning, low/info -> note.
// - a result per open endpoint x failing relay attempt, and a note per probe finding. Each is
//   located at the endpoint (see sarif_location in the .cpp) and carries partialFingerprints
//   derived from endpoint and rule only, so a code-scanning service keeps one alert per
//   endpoint and script across runs instead of a new one per scan.
// Server text in messages is shown through visible_text, with SARIF's link brackets escaped.
std::string render_sarif(const nlohmann::json& results);

// The same, written piece by piece into `sink`, the endpoints read from `endpoints` (twice: the
// rules come first); `results` is the document, whose own "endpoints" are not read.
bool write_sarif(const nlohmann::json& results, const EndpointSource& endpoints,
                 const ChunkSink& sink);

}  // namespace relayaudit
