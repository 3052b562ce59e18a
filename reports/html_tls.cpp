// Renders the endpoint's "tls" block; every value that came from the server goes through
// html_text, certificate names included.
#include "reports/html_tls.hpp"

#include "reports/html_document.hpp"
#include "results/tls_finding_catalog.hpp"

namespace relayaudit::html {
namespace {

std::string joined(const json& values) {
  std::string out;
  for (const json& value : values) out += (out.empty() ? "" : ", ") + html_text(scalar(value));
  return out;
}

std::string verification(const json& tls) {
  if (!at(tls, "chain_trusted").is_boolean()) return kNotRecorded;
  if (at(tls, "chain_trusted") == true) return "trusted";
  const std::string why = text(tls, "verify_error");
  return "<strong>not trusted</strong>" + (why.empty() ? "" : ": " + html_text(why));
}

std::string host_check(const json& tls) {
  const std::string host = text(tls, "checked_host");
  const json& matches = at(tls, "host_matches");
  if (host.empty() || !matches.is_boolean()) {
    return "<span class=\"absent\">not checked (the target was an address)</span>";
  }
  return (matches == true ? "matches " : "<strong>does not match</strong> ") + html_text(host);
}

std::string expiry(const json& cert) {
  const std::string days = text(cert, "days_left");
  const bool expired = number(at(cert, "days_left")) < 0;
  return html_text(text(cert, "not_before")) + " to " + html_text(text(cert, "not_after")) +
         (days.empty() ? std::string()
          : expired    ? " <strong>(expired " + html_text(days.substr(1)) + " days ago)</strong>"
                       : " (" + html_text(days) + " days left)");
}

std::string policy(const json& tls) {
  std::string out = shown(text(tls, "starttls_policy"));
  if (at(tls, "detected") == true)
    out += " <span class=\"small\">(TLS port: write smtps://)</span>";
  if (number(at(tls, "bytes_after_starttls")) > 0) {
    out += "<br><span class=\"small\">" + html_text(text(tls, "bytes_after_starttls")) +
           " bytes of plaintext after the 220 to STARTTLS, discarded</span>";
  }
  return out;
}

std::string probes(const json& tls) {
  const json& found = at(tls, "probes");
  if (!found.is_object()) return "";
  std::string out;
  for (const json& check : list(found, "versions")) {
    out += (out.empty() ? "" : "<br>") + html_text(text(check, "version")) + ": " +
           (at(check, "accepted") == true ? "<strong>accepted</strong>" : "refused") +
           (text(check, "detail").empty()
                ? std::string()
                : " <span class=\"small\">" + html_text(text(check, "detail")) + "</span>");
  }
  const json& injection = at(found, "starttls_injection");
  if (injection.is_boolean()) {
    out +=
        (out.empty() ? "" : "<br>") + std::string("STARTTLS injection: ") +
        (injection == true ? "<strong>answered inside TLS</strong>" : "not answered") +
        (text(found, "injection_detail").empty()
             ? std::string()
             : " <span class=\"small\">" + html_text(text(found, "injection_detail")) + "</span>");
  }
  return out;
}

}  // namespace

bool is_tls_finding_object(const json& finding) {
  return is_tls_finding(text(finding, "id"));
}

std::string tls_block(const json& endpoint) {
  const json& tls = at(endpoint, "tls");
  std::string findings;
  for (const json& finding : list(endpoint, "findings")) {
    if (!is_tls_finding_object(finding)) continue;
    findings += "<li><code>" + html_text(text(finding, "id")) + "</code> (" +
                html_text(text(finding, "severity")) + "): " + html_text(text(finding, "message")) +
                "</li>";
  }
  if (!tls.is_object() && findings.empty()) return "";
  std::string out = "<h3>TLS</h3><table class=\"kv tls\">";
  const auto row = [&](const char* name, const std::string& value_html) {
    out += "<tr><th>" + std::string(name) + "</th><td>" + value_html + "</td></tr>";
  };
  if (tls.is_object()) {
    row("STARTTLS policy", policy(tls));
    std::string established = at(tls, "established") == true ? "yes" : "no";
    if (at(tls, "implicit") == true) established += " (implicit TLS)";
    if (!text(tls, "error").empty()) established += ": " + html_text(text(tls, "error"));
    row("Handshake", established);
  }
  if (tls.is_object() && at(tls, "established") == true) {
    row("Protocol", shown(text(tls, "protocol")));
    row("Cipher", shown(text(tls, "cipher")));
    row("Key exchange", shown(text(tls, "group")));
    const json& chain = list(tls, "certificates");
    if (!chain.empty()) {
      const json& leaf = chain.front();
      row("Certificate", "<code>" + html_text(text(leaf, "subject")) + "</code>");
      std::string names = joined(list(leaf, "dns_names"));
      const std::string addresses = joined(list(leaf, "ip_addresses"));
      if (!addresses.empty()) names += (names.empty() ? "" : ", ") + addresses;
      row("Names (SAN)", names.empty() ? std::string(kNotRecorded) : names);
      row("Issuer",
          "<code>" + html_text(text(leaf, "issuer")) + "</code>" +
              (chain.size() > 1 ? " <span class=\"small\">(" + std::to_string(chain.size()) +
                                      " certificates in the chain)</span>"
                                : ""));
      row("Valid", expiry(leaf));
      row("Key", html_text(text(leaf, "key_type")) + " " + html_text(text(leaf, "key_bits")) +
                     " bits, " + html_text(text(leaf, "signature_algorithm")));
      row("SHA-256", "<code>" + html_text(text(leaf, "sha256")) + "</code>");
    }
    row("Verification", verification(tls));
    row("Host name", host_check(tls));
  }
  if (tls.is_object()) {
    if (const std::string probed = probes(tls); !probed.empty()) row("Probes", probed);
  }
  out += "</table>";
  if (!findings.empty()) out += "<ul class=\"findings tls-findings\">" + findings + "</ul>";
  return out;
}

}  // namespace relayaudit::html
