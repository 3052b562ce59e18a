// Ids of the findings the audit reports, shared by the code that makes them and the reports.
#pragma once

namespace relayaudit {

// An MX that refuses mail for a domain it is an MX of.
inline constexpr const char* kFindingMxRefusesDomain = "mx-refuses-domain-mail";

// Only address-form tricks were accepted, by a server that takes any local part: it may read
// them as mailbox names and never relay them, so the endpoint is inconclusive, not open-relay.
inline constexpr const char* kFindingRelayUnconfirmed = "relay-unconfirmed";

// TLS findings: facts of the handshake and of STARTTLS, never relay verdicts.
inline constexpr const char* kFindingTlsExpired = "tls-certificate-expired";
inline constexpr const char* kFindingTlsNotYetValid = "tls-certificate-not-yet-valid";
inline constexpr const char* kFindingTlsHostMismatch = "tls-host-name-mismatch";
inline constexpr const char* kFindingTlsUntrusted = "tls-chain-untrusted";
inline constexpr const char* kFindingTlsSelfSigned = "tls-self-signed-certificate";
inline constexpr const char* kFindingStarttlsMissing = "tls-starttls-not-offered";  // port 25
inline constexpr const char* kFindingStarttlsFailed = "tls-starttls-failed";  // 454 or handshake
inline constexpr const char* kFindingPlaintextAfterStarttls = "tls-plaintext-after-starttls";
inline constexpr const char* kFindingTlsDetected = "tls-implicit-detected";      // write smtps://
inline constexpr const char* kFindingTlsLegacyProtocol = "tls-legacy-protocol";  // TLS 1.0/1.1
inline constexpr const char* kFindingStarttlsInjection = "tls-starttls-injection";  // CVE-2011-0411

}  // namespace relayaudit
