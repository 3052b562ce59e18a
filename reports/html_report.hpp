// The auditor's HTML report: one self-contained file rendered from the results document.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "reports/atomic_file.hpp"
#include "reports/endpoint_source.hpp"

namespace relayaudit {

// One HTML file with inline CSS and SVG and no script, font or image from anywhere: scan
// metadata, summary counts and a chart, the MX map per domain (when the document has "domains"),
// a table of endpoints, then per endpoint every script's result and its transcript written as
// the telnet session that reproduces it. Prints one endpoint per page. Every string from the
// document is escaped (markup made inert, controls and invalid bytes shown as escapes), and a
// Content-Security-Policy forbids scripts, so a hostile banner renders as text. Tolerates
// missing or mistyped fields (older or hand-made documents): they render as "not recorded".
std::string render_html(const nlohmann::json& results);

// The same, written piece by piece into `sink`, with the endpoints read from `endpoints` (two
// passes: the tables first, then one section at a time); `results` is the document, whose own
// "endpoints" are not read. False when the sink failed.
bool write_html(const nlohmann::json& results, const EndpointSource& endpoints,
                const ChunkSink& sink);

// render_html written to `path` by write_output_file (atomically for a file); an error naming the
// path, or nullopt.
std::optional<std::string> write_html_report(const std::filesystem::path& path,
                                             const nlohmann::json& results);

}  // namespace relayaudit
