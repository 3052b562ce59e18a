// What each TLS finding means and how bad it is: one table for the code that makes the findings
// and for the reports that explain them (SARIF rules, HTML).
#pragma once

#include <array>
#include <string_view>

#include "results/finding_ids.hpp"

namespace relayaudit {

struct TlsFindingInfo {
  std::string_view id;
  std::string_view severity;  // critical | high | medium | low | info, as relay scripts use
  std::string_view title;
  std::string_view description;
  std::string_view fix;
  std::array<std::string_view, 3> references;  // unused entries are empty
};

// Severities: "high" where an attacker on the path can read or inject mail (plaintext accepted
// inside the TLS session's reply stream, STARTTLS command injection); "medium" where mail stays
// in plaintext or senders that check certificates (MTA-STS, DANE, submission clients) refuse to
// deliver; "low" for certificates opportunistic SMTP TLS still accepts (untrusted, self-signed);
// "info" for a scan setting to change. None of them is a relay verdict.
inline constexpr TlsFindingInfo kTlsFindings[] = {
    {kFindingTlsExpired,
     "medium",
     "The TLS certificate has expired",
     "A certificate the server presented is past its notAfter date. Senders that verify "
     "certificates (MTA-STS enforce, DANE, submission clients) refuse to deliver.",
     "Renew the certificate and reload the MTA; monitor expiry.",
     {"RFC 5280 §4.1.2.5", "RFC 8461 §4.2"}},
    {kFindingTlsNotYetValid,
     "medium",
     "The TLS certificate is not valid yet",
     "A certificate the server presented has a notBefore date in the future (a wrong clock on "
     "the issuer or on the server). Verifying senders refuse it.",
     "Check the clocks of the server and of the issuing CA; install a certificate valid now.",
     {"RFC 5280 §4.1.2.5"}},
    {kFindingTlsHostMismatch,
     "medium",
     "The TLS certificate does not name the host",
     "The host name the endpoint was reached by (an MX name or the target) is not among the "
     "certificate's subjectAltName DNS names (or its common name). MTA-STS senders refuse it.",
     "Install a certificate whose subjectAltName lists every MX name of the server.",
     {"RFC 6125 §6", "RFC 8461 §4.2", "RFC 7672 §3.2"}},
    {kFindingTlsUntrusted,
     "low",
     "The TLS certificate chain is not trusted",
     "The chain did not verify against the trust store (the system's, or --ca-file): OpenSSL "
     "gave the reason in the message. Opportunistic SMTP TLS still encrypts; MTA-STS and "
     "submission clients refuse it.",
     "Serve the full chain (leaf and intermediates) from a CA the senders trust.",
     {"RFC 5280 §6", "RFC 8461 §4.2"}},
    {kFindingTlsSelfSigned,
     "low",
     "The TLS certificate is self-signed",
     "The server presented a single certificate that issued itself, and it is not trusted. "
     "Opportunistic SMTP TLS still encrypts, but no sender can authenticate the server.",
     "Install a certificate from a CA the senders trust (or publish DANE TLSA records for it).",
     {"RFC 7672 §3.1", "RFC 8461 §4.2"}},
    {kFindingStarttlsMissing,
     "medium",
     "STARTTLS is not offered on port 25",
     "The plaintext EHLO reply of an MX-port endpoint does not advertise STARTTLS: every mail "
     "to it crosses the network in plaintext.",
     "Configure a certificate and enable STARTTLS (Postfix: smtpd_tls_security_level = may).",
     {"RFC 3207", "RFC 8314 §3"}},
    {kFindingStarttlsFailed,
     "medium",
     "STARTTLS is advertised but fails",
     "The server advertises STARTTLS but refuses it (454) or the handshake fails: senders "
     "fall back to plaintext or defer the mail.",
     "Fix the TLS configuration (certificate and key readable, protocols and ciphers that "
     "senders share), or stop advertising STARTTLS.",
     {"RFC 3207 §4", "RFC 8314 §3"}},
    {kFindingPlaintextAfterStarttls,
     "high",
     "Plaintext follows the 220 to STARTTLS",
     "After its 220 reply to STARTTLS the server sent more plaintext before the handshake. A "
     "client that read it inside TLS would take an attacker's bytes as the server's replies "
     "(the CVE-2011-0411 class, from the server's side). relayaudit discarded them.",
     "Update the MTA or the TLS proxy in front of it; nothing may follow the 220.",
     {"RFC 3207 §4.2", "CVE-2011-0411"}},
    {kFindingTlsDetected,
     "info",
     "The port speaks implicit TLS",
     "No plaintext banner came, but the port answered a TLS handshake: it is an implicit-TLS "
     "(smtps) port. Scan it as smtps://host:port to audit it.",
     "Write the target as smtps://host:port.",
     {"RFC 8314 §3.3"}},
    {kFindingTlsLegacyProtocol,
     "medium",
     "Legacy TLS versions are accepted",
     "The server completes handshakes at TLS 1.0 or TLS 1.1, which are deprecated.",
     "Set the minimum protocol to TLS 1.2 (Postfix: smtpd_tls_protocols = >=TLSv1.2).",
     {"RFC 8996"}},
    {kFindingStarttlsInjection,
     "high",
     "STARTTLS command injection",
     "Commands sent in plaintext together with STARTTLS were answered inside the TLS session: "
     "an attacker on the path can inject SMTP commands into an encrypted session.",
     "Update the MTA: its STARTTLS must discard buffered plaintext (CVE-2011-0411).",
     {"CVE-2011-0411", "RFC 3207 §4.2"}},
};

inline const TlsFindingInfo* tls_finding_info(std::string_view id) {
  for (const auto& info : kTlsFindings) {
    if (info.id == id) return &info;
  }
  return nullptr;
}

inline bool is_tls_finding(std::string_view id) {
  return tls_finding_info(id) != nullptr;
}

}  // namespace relayaudit
