// Readable endpoint names from a results document's endpoint (tolerant of missing fields).
#include "reports/endpoint_title.hpp"

#include <string_view>

#include "reports/xml_text.hpp"

namespace relayaudit {
namespace {

using nlohmann::json;

// A DNS name with at least one dot and a letter in its last label, nothing else: a banner's
// free text (or an enhanced status code, "5.3.2") must not pass for one.
bool looks_like_host_name(std::string_view word) {
  const std::string_view last_label = word.substr(word.rfind('.') + 1);
  return word.find('.') != std::string_view::npos && word.front() != '.' && word.back() != '.' &&
         last_label.find_first_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") !=
             std::string_view::npos &&
         word.find_first_not_of(
             "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-") ==
             std::string_view::npos;
}

// The word after the code of the banner's first line ("220 host ESMTP", "220-host ...").
std::string banner_host(const json& endpoint) {
  const auto banner = endpoint.find("banner");
  if (banner == endpoint.end() || !banner->is_object()) return "";
  const auto lines = banner->find("lines");
  if (lines == banner->end() || !lines->is_array() || lines->empty() ||
      !lines->front().is_string()) {
    return "";
  }
  const std::string& line = lines->front().get_ref<const std::string&>();
  // Only a greeting names the server; a refusal's second word is its status code or text.
  if (line.size() < 5 || line.compare(0, 3, "220") != 0) return "";
  const std::string_view rest = std::string_view(line).substr(4);
  const std::string_view word = rest.substr(0, rest.find(' '));
  return !word.empty() && looks_like_host_name(word) ? std::string(word) : "";
}

std::string title_string_field(const json& object, const char* name) {
  const auto value = object.find(name);
  return value != object.end() && value->is_string() ? visible_text_of(*value) : "";
}

}  // namespace

std::string server_name(const json& endpoint) {
  const auto ehlo = endpoint.find("ehlo");
  if (ehlo != endpoint.end() && ehlo->is_object()) {
    const std::string domain = title_string_field(*ehlo, "server_domain");
    if (!domain.empty()) return domain;
  }
  return banner_host(endpoint);
}

std::string names_as_asked(const json& endpoint) {
  const std::string key = title_string_field(endpoint, "endpoint");
  const std::string host = title_string_field(endpoint, "host_name");
  std::string asked;
  const auto targets = endpoint.find("targets");
  if (targets != endpoint.end() && targets->is_array()) {
    for (const auto& target : *targets) {
      const std::string written = visible_text_of(target);
      // "127.0.0.1", "127.0.0.1:25" or "smtps://127.0.0.1:465" says no more than the address.
      if (written.empty() || written.find(key) != std::string::npos ||
          key.find(written) != std::string::npos || written == host) {
        continue;
      }
      asked += (asked.empty() ? "" : ", ") + written;
    }
  }
  const auto domains = endpoint.find("mail_domains");
  const bool is_mx = domains != endpoint.end() && domains->is_array() && !domains->empty();
  if (!host.empty() && asked.find(host) == std::string::npos) {
    asked += (asked.empty() ? "" : ", ") + std::string(is_mx ? "MX " : "") + host;
  }
  return asked;
}

std::string endpoint_title(const json& endpoint) {
  const std::string key = title_string_field(endpoint, "endpoint");
  const std::string asked = names_as_asked(endpoint);
  std::string title = asked.empty() ? key : asked + " at " + key;
  const std::string server = server_name(endpoint);
  if (!server.empty() && server != title_string_field(endpoint, "host_name")) {
    title += ", server " + server;
  }
  return title;
}

}  // namespace relayaudit
