// TLS facts as JSON: certificate strings come from the server, so every one is escaped.
#include "reports/tls_json.hpp"

#include "reports/safe_text.hpp"

namespace relayaudit {
namespace {

using nlohmann::json;

json text(const std::string& value) {
  return escape_invalid_utf8(value, nullptr);
}

json texts(const std::vector<std::string>& values) {
  json out = json::array();
  for (const auto& value : values) out.push_back(text(value));
  return out;
}

json certificate_json(const CertificateFacts& cert) {
  return {
      {"subject", text(cert.subject)},
      {"issuer", text(cert.issuer)},
      {"serial", text(cert.serial)},
      {"dns_names", texts(cert.dns_names)},
      {"ip_addresses", texts(cert.ip_addresses)},
      {"not_before", text(cert.not_before)},
      {"not_after", text(cert.not_after)},
      {"days_left", cert.days_left},
      {"key_type", text(cert.key_type)},
      {"key_bits", cert.key_bits},
      {"signature_algorithm", text(cert.signature_algorithm)},
      {"sha256", text(cert.sha256)},
  };
}

json probes_json(const TlsProbeResults& probes) {
  json versions = json::array();
  for (const auto& check : probes.versions) {
    versions.push_back({{"version", text(check.version)},
                        {"accepted", check.accepted},
                        {"detail", check.detail.empty() ? json(nullptr) : text(check.detail)}});
  }
  return {
      {"versions", std::move(versions)},
      {"starttls_injection",
       probes.starttls_injection ? json(*probes.starttls_injection) : json(nullptr)},
      {"injection_detail",
       probes.injection_detail.empty() ? json(nullptr) : text(probes.injection_detail)},
  };
}

}  // namespace

json tls_json(const EndpointResult& result) {
  const bool known = result.starttls_offered || result.implicit_tls || result.tls ||
                     !result.tls_error.empty() || !result.starttls_policy.empty() ||
                     result.tls_detected || result.tls_probes;
  if (!known) return nullptr;
  json out = {
      {"starttls_offered", result.starttls_offered},
      {"implicit", result.implicit_tls},
      {"established", result.tls.has_value()},
      {"error", result.tls_error.empty() ? json(nullptr) : text(result.tls_error)},
      {"bytes_after_starttls", result.bytes_after_starttls},
      {"starttls_policy",
       result.starttls_policy.empty() ? json(nullptr) : text(result.starttls_policy)},
      {"detected", result.tls_detected},
      {"handshakes", result.tls_handshakes},
      {"resumed", result.tls_resumed},
  };
  if (result.tls_probes) out["probes"] = probes_json(*result.tls_probes);
  if (!result.tls) return out;
  const TlsFacts& facts = *result.tls;
  out["protocol"] = text(facts.protocol);
  out["cipher"] = text(facts.cipher);
  out["group"] = facts.group.empty() ? json(nullptr) : text(facts.group);
  out["chain_trusted"] = facts.chain_trusted;
  out["verify_error"] = facts.verify_error.empty() ? json(nullptr) : text(facts.verify_error);
  out["checked_host"] = facts.checked_host.empty() ? json(nullptr) : text(facts.checked_host);
  out["host_matches"] = facts.host_matches ? json(*facts.host_matches) : json(nullptr);
  json chain = json::array();
  for (const auto& cert : facts.chain) chain.push_back(certificate_json(cert));
  out["certificates"] = std::move(chain);
  return out;
}

}  // namespace relayaudit
