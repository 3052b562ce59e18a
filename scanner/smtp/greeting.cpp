// EHLO reply interpretation (RFC 5321 §4.1.1.1): first line names the server, the rest are
// keywords.
#include "smtp/greeting.hpp"

#include <algorithm>
#include <cctype>

namespace relayaudit {

bool looks_like_domain(std::string_view word) {
  if (word.size() >= 3 && word.front() == '[' && word.back() == ']') return true;
  if (word.empty() || word.size() > 253 || word.find('.') == std::string_view::npos) return false;
  if (word.front() == '.' || word.front() == '-') return false;
  return std::all_of(word.begin(), word.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '.';
  });
}

void apply_greeting_reply(Greeting& greeting, const Reply& reply, bool used_helo) {
  greeting.ehlo = reply;
  greeting.used_helo = used_helo;
  greeting.capabilities.clear();
  greeting.pipelining = false;
  greeting.starttls = false;
  const std::string first = reply.line_text(0);
  const std::string word = first.substr(0, first.find(' '));
  greeting.server_domain = looks_like_domain(word) ? word : std::string();
  if (used_helo) return;
  for (std::size_t i = 1; i < reply.lines.size(); ++i) {
    std::string capability = reply.line_text(i);
    std::string keyword = capability.substr(0, capability.find(' '));
    std::transform(keyword.begin(), keyword.end(), keyword.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    if (keyword == "PIPELINING") greeting.pipelining = true;
    if (keyword == "STARTTLS") greeting.starttls = true;
    greeting.capabilities.push_back(std::move(capability));
  }
}

}  // namespace relayaudit
