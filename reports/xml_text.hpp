// Server text as the CI report writers show it: legal in XML 1.0, inert on screen, phrased alike.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace relayaudit {

// Text from the results document made safe to display in any report format. Each byte of a
// character that XML 1.0 cannot carry even escaped (C0 controls, U+FFFE, U+FFFF), or that acts
// on a screen instead of printing (DEL, C1 controls, bidi overrides and isolates), becomes the
// visible four characters "\xNN"; so does any byte that is not UTF-8. Line feeds are kept only
// when `keep_line_feeds` is set; tab and carriage return are always escaped (an XML reader would
// normalize them away). It shows the bytes received (received_bytes undoes the document's own
// escaping of invalid bytes) and doubles every backslash, so "\xNN" on display is always an
// escape and a server's literal "\x1b" shows as "\\x1b".
std::string visible_text(std::string_view text, bool keep_line_feeds = false);

// visible_text for bytes as received rather than document text: nothing is unescaped first.
std::string visible_bytes(std::string_view bytes, bool keep_line_feeds = false);

// visible_text of a document string value; "" for null or any other type.
std::string visible_text_of(const nlohmann::json& value);

// "250 2.1.5 Ok" from a document reply (first line, visible); "+N lines" noted; "no reply" for
// null. Multi-line replies are shown whole by reply_lines.
std::string reply_summary(const nlohmann::json& reply);

// Every line of a document reply, visible, joined by '\n'; "" for null.
std::string reply_lines(const nlohmann::json& reply);

// The decisive command a document test sent: "RCPT TO:<x>" (the last recipient), or
// "MAIL FROM:<x>" when the test stopped before RCPT; "" when it sent neither.
std::string decisive_command(const nlohmann::json& test);

// "MAIL FROM:<a> RCPT TO:<b> RCPT TO:<c>": the envelope a document test sent, visible.
std::string envelope_sent(const nlohmann::json& test);

// Document transcript lines (document_view.hpp) as a mail administrator would read them:
// "C: EHLO x", "S: 250 ...", "*: note", each visible (exactly: received_line reads each line's
// escaped flag), joined by '\n'.
std::string transcript_text(const std::vector<const nlohmann::json*>& lines);

// "127.0.0.1:25 (mx.example.com)", or the endpoint alone when it has no host name; visible.
std::string endpoint_label(const nlohmann::json& endpoint);

// Endpoint verdicts from worst to best, as the run verdict ranks them: 0 open-relay,
// 1 inconclusive, 2 unreachable, 3 closed (unknown text ranks last).
int verdict_rank(std::string_view verdict);

}  // namespace relayaudit
