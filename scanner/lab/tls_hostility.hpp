// The lab's TLS profiles: the server context each one needs and what it does to the handshake.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include "lab/lab_server.hpp"
#include "tls/tls_context.hpp"

namespace relayaudit {

enum class TlsHostility {
  none,
  garbage,          // answers the ClientHello with bytes that are no TLS record
  stall,            // reads the ClientHello and never answers
  garbage_records,  // completes the handshake, then sends records that do not decrypt
  renegotiate,      // completes a TLS 1.2 handshake, then asks for a renegotiation
};

// The profiles added for TLS (tls-*, starttls-injection): each offers STARTTLS.
bool is_tls_profile(LabProfile profile);
TlsHostility tls_hostility(LabProfile profile);
// A server context other than the lab's ordinary one, for the profiles that need it.
std::optional<TlsServerPolicy> tls_policy(LabProfile profile);

// Bytes a TLS client cannot read as a ServerHello (a record header with an unknown type).
std::string garbage_handshake_reply();
// Well-framed application-data records whose contents fail decryption.
std::string garbage_records();

}  // namespace relayaudit
