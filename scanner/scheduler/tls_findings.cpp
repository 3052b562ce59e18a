// TLS findings: each rule reads the facts the session recorded and names them in its message.
#include "scheduler/tls_findings.hpp"

#include <ctime>
#include <string>

#include "results/tls_finding_catalog.hpp"

namespace relayaudit {
namespace {

// The format of CertificateFacts::not_before/not_after, so ISO strings compare as times.
std::string iso_utc(std::chrono::system_clock::time_point when) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(when);
  std::tm parts{};
  ::gmtime_r(&seconds, &parts);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &parts);
  return buffer;
}

void add(std::vector<Finding>& findings, const char* id, std::string message) {
  const TlsFindingInfo* info = tls_finding_info(id);
  findings.push_back(Finding{id, std::string(info->severity), std::move(message), ""});
}

// "the certificate" for a lone leaf, else its place in the chain, with its subject.
std::string which(const TlsFacts& facts, std::size_t index) {
  const std::string place = facts.chain.size() == 1 ? "the certificate"
                            : index == 0            ? "the leaf certificate"
                                         : "chain certificate " + std::to_string(index + 1);
  return place + " (" + facts.chain[index].subject + ")";
}

std::string joined(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& part : parts) out += (out.empty() ? "" : "; ") + part;
  return out;
}

void certificate_dates(std::vector<Finding>& findings, const TlsFacts& facts,
                       const std::string& now) {
  std::vector<std::string> expired;
  std::vector<std::string> early;
  for (std::size_t i = 0; i < facts.chain.size(); ++i) {
    const CertificateFacts& cert = facts.chain[i];
    // days_left rounds towards zero: a certificate that expired hours ago still says 0.
    if (cert.days_left < 0 || (!cert.not_after.empty() && cert.not_after < now)) {
      expired.push_back(which(facts, i) + " expired on " + cert.not_after + " (" +
                        std::to_string(-cert.days_left) + " days ago)");
    }
    if (!cert.not_before.empty() && cert.not_before > now) {
      early.push_back(which(facts, i) + " is valid only from " + cert.not_before);
    }
  }
  if (!expired.empty()) add(findings, kFindingTlsExpired, joined(expired));
  if (!early.empty()) add(findings, kFindingTlsNotYetValid, joined(early) + " (now " + now + ")");
}

std::string names_of(const CertificateFacts& cert) {
  std::vector<std::string> names;
  for (const auto& name : cert.dns_names) names.push_back("DNS:" + name);
  for (const auto& address : cert.ip_addresses) names.push_back("IP:" + address);
  if (names.empty()) return "no subjectAltName, subject " + cert.subject;
  std::string out;
  for (const auto& name : names) out += (out.empty() ? "" : ", ") + name;
  return out;
}

bool self_signed(const TlsFacts& facts) {
  return facts.chain.size() == 1 && facts.chain[0].subject == facts.chain[0].issuer;
}

void certificate_checks(std::vector<Finding>& findings, const TlsFacts& facts,
                        const std::string& now) {
  certificate_dates(findings, facts, now);
  // Only a target reached by name has a name to check: an address target leaves it unset.
  if (facts.host_matches == false && !facts.chain.empty()) {
    add(findings, kFindingTlsHostMismatch,
        "the certificate names " + names_of(facts.chain[0]) + ", not " + facts.checked_host +
            " (the name this endpoint was reached by)");
  }
  if (facts.chain_trusted) return;
  const std::string reason =
      facts.verify_error.empty() ? std::string("no reason given") : facts.verify_error;
  // A self-signed certificate is the whole story of its untrusted chain: one finding, not two.
  if (self_signed(facts)) {
    add(findings, kFindingTlsSelfSigned,
        which(facts, 0) + " is self-signed and not trusted (OpenSSL: " + reason + ")");
  } else {
    add(findings, kFindingTlsUntrusted,
        "the chain of " + std::to_string(facts.chain.size()) + " certificate(s) from " +
            (facts.chain.empty() ? std::string("the server") : facts.chain[0].subject) +
            " did not verify (OpenSSL: " + reason + ")");
  }
}

void starttls_checks(std::vector<Finding>& findings, const EndpointResult& endpoint) {
  const bool absent = endpoint.starttls_policy == "absent" ||
                      (endpoint.starttls_policy.empty() && endpoint.greeting.has_value() &&
                       !endpoint.starttls_offered && !endpoint.tls);
  // Port 25 is where MTAs deliver to MTAs; submission ports are judged by their own rules.
  if (endpoint.endpoint.port == 25 && !endpoint.implicit_tls && !endpoint.tls_detected && absent) {
    add(findings, kFindingStarttlsMissing,
        "the EHLO reply on port 25 does not advertise STARTTLS: mail to this MX travels in "
        "plaintext");
  }
  if (!endpoint.tls_error.empty()) {
    add(findings, kFindingStarttlsFailed,
        std::string(endpoint.implicit_tls ? "implicit TLS failed: " : "STARTTLS failed: ") +
            endpoint.tls_error +
            (endpoint.tls ? " (on a later connection; an earlier handshake succeeded)" : ""));
  }
  if (endpoint.bytes_after_starttls > 0) {
    add(findings, kFindingPlaintextAfterStarttls,
        std::to_string(endpoint.bytes_after_starttls) +
            " byte(s) of plaintext followed the 220 to STARTTLS (discarded, never read as "
            "replies inside TLS)");
  }
  if (endpoint.tls_detected) {
    add(findings, kFindingTlsDetected,
        "no plaintext banner, but the port answered a TLS handshake: scan it as smtps://" +
            endpoint.endpoint.key());
  }
}

void probe_checks(std::vector<Finding>& findings, const TlsProbeResults& probes) {
  std::vector<std::string> accepted;
  for (const auto& check : probes.versions) {
    if (check.accepted) accepted.push_back(check.version);
  }
  if (!accepted.empty()) {
    std::string list;
    for (const auto& version : accepted) list += (list.empty() ? "" : ", ") + version;
    add(findings, kFindingTlsLegacyProtocol,
        "the server completed handshakes limited to " + list + " (deprecated by RFC 8996)");
  }
  if (probes.starttls_injection == true) {
    add(findings, kFindingStarttlsInjection,
        "plaintext sent with STARTTLS was answered inside TLS" +
            (probes.injection_detail.empty() ? std::string() : ": " + probes.injection_detail));
  }
}

}  // namespace

std::vector<Finding> tls_findings(const EndpointResult& endpoint,
                                  std::chrono::system_clock::time_point now) {
  std::vector<Finding> findings;
  if (endpoint.tls) certificate_checks(findings, *endpoint.tls, iso_utc(now));
  starttls_checks(findings, endpoint);
  if (endpoint.tls_probes) probe_checks(findings, *endpoint.tls_probes);
  return findings;
}

std::vector<Finding> tls_findings(const EndpointResult& endpoint) {
  return tls_findings(endpoint, std::chrono::system_clock::now());
}

}  // namespace relayaudit
