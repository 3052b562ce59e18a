// Escaping for HTML: document text (from servers, users, files) made inert and visible.
#pragma once

#include <string>
#include <string_view>

namespace relayaudit {

// Text safe in HTML element content and in quoted attribute values: & < > " ' become character
// references; every byte that is not valid UTF-8 becomes the visible "\xNN"; C0 controls (tab
// included), DEL, C1 controls, the bidi controls and U+2028/U+2029 become "\xNN" or "\uNNNN", so
// a hostile banner can neither inject markup nor hide or reorder what the reader sees. It shows
// the bytes received (received_bytes undoes the document's escaping of invalid bytes), and every
// backslash is doubled, so "\xNN" is always an escape and a literal "\x1b" shows as "\\x1b".
std::string escape_html(std::string_view text);

// The same for element content, with each visible escape wrapped in <span class="esc"> so a
// reader can tell an escape the report made from the same characters sent by the server.
std::string html_text(std::string_view text);

// html_text for bytes as received rather than document text: nothing is unescaped first.
std::string html_text_of_bytes(std::string_view bytes);

}  // namespace relayaudit
