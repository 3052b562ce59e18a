// The bytes a server sent, recovered from a results-document string for display.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace relayaudit {

// The document writes text holding bytes that are not UTF-8 in an escaped form (each such byte
// as "\xNN", each backslash doubled; escape_invalid_utf8). When `document_text` is exactly that
// form of some bytes, returns those bytes; otherwise the text is what was received and is
// returned unchanged. Text that was sent literally in the escaped form of invalid bytes (a server
// typing "\xff") reads back as those bytes: the document itself cannot tell them apart.
std::string received_bytes(std::string_view document_text);

// The exact bytes of a document transcript line ([t_ms, session, dir, line, escaped?]): its
// escaped flag settles what received_bytes can only infer. "" when the line has no text.
std::string received_line(const nlohmann::json& transcript_line);

}  // namespace relayaudit
