// Reads of a results document (schema 2.0) shared by the report writers: a test's script facts
// from the top-level "scripts", and the transcript lines a test names by range. Every read is
// tolerant: a missing or mistyped field reads as empty, never throws.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace relayaudit {

// The "scripts" entry of the test's script id; an empty object when the document has none.
const nlohmann::json& script_of(const nlohmann::json& results, const nlohmann::json& test);

// A string fact of the test's script ("title", "severity", "kind", "expect", "trick"); "".
std::string script_fact(const nlohmann::json& results, const nlohmann::json& test,
                        std::string_view fact);

// The script's "tags" (an array, possibly empty).
const nlohmann::json& script_tags(const nlohmann::json& results, const nlohmann::json& test);

// The endpoint transcript lines the test's "lines" ranges name, in transcript order. Ranges
// that reach past the transcript are cut at its end.
std::vector<const nlohmann::json*> test_lines(const nlohmann::json& endpoint,
                                              const nlohmann::json& test);

// Every line of the endpoint's transcript.
std::vector<const nlohmann::json*> endpoint_lines(const nlohmann::json& endpoint);

// The fields of one transcript line, [t_ms, session, dir, line, escaped?].
std::int64_t line_ms(const nlohmann::json& line);
std::int64_t line_session(const nlohmann::json& line);
std::string line_direction(const nlohmann::json& line);  // "C", "S", "*"; "" when malformed
std::string line_text(const nlohmann::json& line);       // as the document wrote it
bool line_escaped(const nlohmann::json& line);

// True when the test ran on the TLS path ("path": "tls"); --tls both runs each script on both.
bool ran_over_tls(const nlohmann::json& test);

}  // namespace relayaudit
