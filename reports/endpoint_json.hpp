// One endpoint object of the results document (schema 2.0): its tests name their lines in the
// endpoint's single transcript.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "results/audit_result.hpp"

namespace relayaudit {

// One element of the document's "endpoints" array, as one line of text without a line feed: the
// form of the JSONL stream, of the spill file and of each endpoint in results.json. Written
// straight to text, as endpoint_line(endpoint_to_json(result)) would be, without the tree. Every
// string that came from the network or the user is passed through escape_invalid_utf8. The
// endpoint transcript and each test's copies of its lines are merged
// (reports/transcript_merge.hpp): every line is written once, and each test's "lines" are index
// ranges into it.
std::string endpoint_text(const EndpointResult& result);

// The same endpoint as a tree, for code that edits or inspects it.
nlohmann::json endpoint_to_json(const EndpointResult& result);

// An endpoint object (read back, or upgraded from 1.x) as one line of text.
std::string endpoint_line(const nlohmann::json& endpoint);

}  // namespace relayaudit
