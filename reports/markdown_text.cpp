// Markdown escaping of text that is not code (CommonMark and GitHub Flavored Markdown).
#include "reports/markdown_text.hpp"

#include "reports/xml_text.hpp"

namespace relayaudit {
namespace {

// ASCII punctuation that can start Markdown inline syntax (emphasis, code, links, images,
// strikethrough, math, footnotes, tables) or an autolink ("http:", "www."). Hyphens, commas,
// quotes, slashes and the like are inert in the middle of a line and stay readable.
bool starts_markdown_markup(char c) {
  static constexpr std::string_view kActive = "\\`*_[](){}!|~$^#+.:";
  return kActive.find(c) != std::string_view::npos;
}

}  // namespace

// CommonMark takes a backslash before ASCII punctuation as that character, literally; <, > and
// & become entities so no tag or entity of the server's can form.
std::string markdown_plain(std::string_view text) {
  const std::string visible = visible_text(text);
  std::string out;
  out.reserve(visible.size() + visible.size() / 4);
  for (char c : visible) {
    if (c == '<') {
      out += "&lt;";
    } else if (c == '>') {
      out += "&gt;";
    } else if (c == '&') {
      out += "&amp;";
    } else {
      if (starts_markdown_markup(c)) out += '\\';
      out += c;
    }
  }
  return out;
}

}  // namespace relayaudit
