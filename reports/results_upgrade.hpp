// Results written by relayaudit 1.x, read in the 2.0 shape: every renderer, diff and --resume
// then knows one shape only.
#pragma once

#include <nlohmann/json.hpp>

namespace relayaudit {

// Whether `document` says it is a 1.x results document.
bool is_results_1x(const nlohmann::json& document);

// A 1.x endpoint object in the 2.0 shape: replies lose "text" (it is their lines, joined); each
// test's script facts (title, kind, trick, tags, severity, expect) move into `scripts` under its
// id (the first test of an id wins); the test transcripts are merged into the endpoint
// transcript (reports/transcript_merge.hpp), every line written once as a tuple, and each test
// names its lines by range. Tolerant: what is not in the 1.x shape is carried over unchanged
// (the shape check then names it).
nlohmann::json upgrade_endpoint(nlohmann::json endpoint, nlohmann::json& scripts);

// A 1.x document in the 2.0 shape: its endpoints upgraded, "scripts" an object of every listed
// id (facts from the tests, "source" and "sha256" from the 1.1+ "run" block, which loses its
// "scripts"). "schema_version" keeps the version the file was written in.
nlohmann::json upgrade_results(nlohmann::json document);

}  // namespace relayaudit
