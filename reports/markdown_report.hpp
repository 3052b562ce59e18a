// A Markdown job summary (GitHub step summary, GitLab): the verdict, counts and the evidence.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "reports/atomic_file.hpp"
#include "reports/endpoint_source.hpp"

namespace relayaudit {

// Renders a results document (reports/results.schema.json) as GitHub-flavoured Markdown: a
// title with the run verdict, a counts table, a table of endpoints (worst verdict first), then
// per open relay its failing scripts with the exact MAIL FROM, RCPT TO and reply, and the
// transcript of the strongest evidence in a fenced block; probe findings and unresolved targets
// last. Long runs are capped (kMaxEndpointRows, kMaxOpenRelaysDetailed) to stay well inside the
// 1 MiB GitHub accepts for a step summary; the JSON, JUnit and SARIF outputs hold everything.
//
// Server text can neither open HTML nor break the layout: outside code it is backslash-escaped
// (every ASCII punctuation mark) with <, > and & as entities; in code spans the backtick fence
// is longer than any backtick run inside and table pipes are escaped; fenced blocks use a fence
// longer than any backtick run in their content. Control characters are shown as \xNN.
std::string render_markdown(const nlohmann::json& results);

// The same into `sink`, the endpoints read from `endpoints` (several passes, each bounded by the
// caps); `results` is the document, whose own "endpoints" are not read.
bool write_markdown(const nlohmann::json& results, const EndpointSource& endpoints,
                    const ChunkSink& sink);

inline constexpr std::size_t kMaxEndpointRows = 1000;
inline constexpr std::size_t kMaxOpenRelaysDetailed = 25;
// Finding rows shown, the most severe first (a 10,000-gateway fleet has 20,000 probe findings).
inline constexpr std::size_t kMaxFindingRows = 500;

}  // namespace relayaudit
