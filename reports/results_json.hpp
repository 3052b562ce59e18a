// The results document (results.json): the source of truth every other report is rendered from.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "reports/atomic_file.hpp"
#include "reports/endpoint_digest.hpp"
#include "reports/endpoint_json.hpp"
#include "reports/run_provenance.hpp"
#include "results/audit_result.hpp"

namespace relayaudit {

// The version of the document shape; reports/results.schema.json describes it. 2.0 writes each
// script's facts once ("scripts") and each endpoint's transcript once (tests hold line ranges).
inline constexpr const char* kResultsSchemaVersion = "2.0";

// The document without its endpoints ("endpoints" is []): `scripts` is the "scripts" object
// (reports/script_catalog.hpp); the summary and the domain verdicts come from `endpoints`, the
// digests of every endpoint the document will list. `run`, when given, becomes the "run" block.
nlohmann::json results_header_json(const ScanResult& result, const RunProvenance* run,
                                   nlohmann::json scripts,
                                   const std::vector<EndpointDigest>& endpoints);

// The same for the endpoints `result` holds, scripts described by their tests (and `run`).
nlohmann::json results_header_json(const ScanResult& result, const RunProvenance* run = nullptr);

// The whole document of `result` in memory (its resumed endpoints first).
nlohmann::json results_to_json(const ScanResult& result, const RunProvenance* run = nullptr);

// Calls `line` with each endpoint's text (endpoint_line) in document order; false stops.
using EndpointLines =
    std::function<bool(const std::function<bool(std::string_view endpoint_text)>& line)>;

// The document text: the header pretty-printed, each endpoint on a line of its own in
// "endpoints", a trailing newline. Streams into `sink`; false when the sink failed.
bool produce_results_text(const nlohmann::json& header, const EndpointLines& endpoints,
                          const ChunkSink& sink);

// The text of a whole document in memory, in the same layout. Uses the replacing error handler
// as a last safety net: a missed string must not abort the scan's output.
std::string results_to_string(const nlohmann::json& document);

// Writes the document through write_output_file: a file is replaced atomically (an earlier file
// stays intact on failure), a device or FIFO written in place, "-" is standard output. On
// failure returns a message naming the path and the system error.
std::optional<std::string> write_results_file(const std::filesystem::path& path,
                                              const nlohmann::json& header,
                                              const EndpointLines& endpoints);
std::optional<std::string> write_results_file(const std::filesystem::path& path,
                                              const nlohmann::json& document);

// Streams the whole document for `result`, endpoint by endpoint.
std::optional<std::string> write_results_file(const std::filesystem::path& path,
                                              const ScanResult& result,
                                              const RunProvenance* run = nullptr);

// RFC 3339 UTC with milliseconds ("2024-05-01T12:00:00.123Z").
std::string format_timestamp(std::chrono::system_clock::time_point at);

}  // namespace relayaudit
