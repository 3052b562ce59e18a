// The results document (results.json): the source of truth every other report is rendered from.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "reports/run_provenance.hpp"
#include "results/audit_result.hpp"

namespace relayaudit {

// The version of the document shape; reports/results.schema.json describes it.
inline constexpr const char* kResultsSchemaVersion = "1.3";

// Builds the document. Every string that came from the network or the user is passed through
// escape_invalid_utf8, so the result dumps without error even with the strict handler. `run`,
// when given, becomes the "run" block (who ran the scan, from where, with which scripts).
nlohmann::json results_to_json(const ScanResult& result, const RunProvenance* run = nullptr);

// Pretty-printed document with a trailing newline. Uses the replacing error handler as a last
// safety net: a missed string must not abort the scan's output.
std::string results_to_string(const nlohmann::json& document);

// Writes the document through write_output_file: a file is replaced atomically (an earlier file
// stays intact on failure), a device or FIFO written in place, "-" is standard output. On
// failure returns a message naming the path and the system error.
std::optional<std::string> write_results_file(const std::filesystem::path& path,
                                              const nlohmann::json& document);

// One element of the document's "endpoints" array.
nlohmann::json endpoint_to_json(const EndpointResult& result);

// The document with an empty "endpoints" array.
nlohmann::json results_header_json(const ScanResult& result, const RunProvenance* run = nullptr);

// Streams the whole document for `result` (the same text as results_to_json, endpoint by
// endpoint), the same way, without holding it in memory at once.
std::optional<std::string> write_results_file(const std::filesystem::path& path,
                                              const ScanResult& result,
                                              const RunProvenance* run = nullptr);

// RFC 3339 UTC with milliseconds ("2024-05-01T12:00:00.123Z").
std::string format_timestamp(std::chrono::system_clock::time_point at);

}  // namespace relayaudit
