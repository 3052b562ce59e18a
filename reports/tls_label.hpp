// The one-cell TLS summary of an endpoint that the HTML, Markdown and terminal reports show.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace relayaudit {

// True when the endpoint object's findings hold a tls-* finding.
bool has_tls_finding(const nlohmann::json& endpoint);

// What TLS an endpoint object of the results document had: "TLSv1.3", "implicit TLSv1.3",
// "STARTTLS failed", "implicit TLS failed", "TLS port (smtps://)", "STARTTLS not used" (offered,
// run with --tls never), "none" (not offered), or "" when nothing was read (no EHLO reply).
// kTlsFindingMarker follows when a TLS finding exists. Raw text: callers escape it.
std::string tls_label(const nlohmann::json& endpoint);

inline constexpr const char* kTlsFindingMarker = " (!)";

}  // namespace relayaudit
