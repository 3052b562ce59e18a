// Escaping for HTML: document text (from servers, users, files) made inert and visible.
#pragma once

#include <string>
#include <string_view>

namespace relayaudit {

// Text safe in HTML element content and in quoted attribute values: & < > " ' become character
// references; every byte that is not valid UTF-8 becomes the visible "\xNN"; C0 controls (tab
// included), DEL, C1 controls, the bidi controls and U+2028/U+2029 become "\xNN" or "\uNNNN", so
// a hostile banner can neither inject markup nor hide or reorder what the reader sees.
std::string escape_html(std::string_view text);

// The same for element content, with each visible escape wrapped in <span class="esc"> so a
// reader can tell an escape the report made from the same characters sent by the server.
std::string html_text(std::string_view text);

}  // namespace relayaudit
