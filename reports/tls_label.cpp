// The TLS cell: read tolerantly, since report renders documents of every 1.x version.
#include "reports/tls_label.hpp"

#include "results/tls_finding_catalog.hpp"

namespace relayaudit {
namespace {

using nlohmann::json;

std::string string_at(const json& object, const char* key) {
  const auto found = object.find(key);
  return found != object.end() && found->is_string() ? found->get<std::string>() : std::string();
}

bool true_at(const json& object, const char* key) {
  const auto found = object.find(key);
  return found != object.end() && *found == true;
}

std::string tls_state(const json& endpoint) {
  const auto tls = endpoint.find("tls");
  if (tls == endpoint.end() || !tls->is_object()) {
    // Before 1.3 a server without STARTTLS had no tls block; an EHLO reply says it was asked.
    const auto ehlo = endpoint.find("ehlo");
    return ehlo != endpoint.end() && ehlo->is_object() ? "none" : "";
  }
  const bool implicit = true_at(*tls, "implicit");
  if (true_at(*tls, "established")) {
    const std::string protocol = string_at(*tls, "protocol");
    return (implicit ? "implicit " : "") + (protocol.empty() ? std::string("TLS") : protocol);
  }
  if (!string_at(*tls, "error").empty())
    return implicit ? "implicit TLS failed" : "STARTTLS failed";
  if (true_at(*tls, "detected")) return "TLS port (smtps://)";
  if (true_at(*tls, "starttls_offered")) return "STARTTLS not used";
  return "none";
}

}  // namespace

bool has_tls_finding(const json& endpoint) {
  const auto findings = endpoint.find("findings");
  if (findings == endpoint.end() || !findings->is_array()) return false;
  for (const json& finding : *findings) {
    if (finding.is_object() && is_tls_finding(string_at(finding, "id"))) return true;
  }
  return false;
}

std::string tls_label(const json& endpoint) {
  if (!endpoint.is_object()) return "";
  std::string label = tls_state(endpoint);
  if (has_tls_finding(endpoint)) label += label.empty() ? "(!)" : kTlsFindingMarker;
  return label;
}

}  // namespace relayaudit
