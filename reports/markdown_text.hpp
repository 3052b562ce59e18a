// Text made inert in Markdown, shared by the Markdown summary and SARIF's help.markdown.
#pragma once

#include <string>
#include <string_view>

namespace relayaudit {

// Document or script text for use outside code in Markdown: shown through visible_text, every
// ASCII punctuation mark that can start Markdown inline syntax backslash-escaped and <, > and &
// written as entities, so no markup, link or tag of its own can form. Never put it at the
// start of a line (list and heading markers act there).
std::string markdown_plain(std::string_view text);

}  // namespace relayaudit
