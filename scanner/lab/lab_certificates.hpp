// The certificates of the lab's TLS gateways: one shared by most profiles, and the faulty ones
// of the profiles that exist to show a certificate problem.
#pragma once

#include "lab/lab_server.hpp"
#include "tls/tls_credentials.hpp"

namespace relayaudit {

// Self-signed, valid now, for lab.relayaudit.test, *.lab.relayaudit.test and localhost (so a
// lab gateway scanned as localhost:PORT passes the host-name check).
CertificateRequest shared_lab_certificate();

// True for the profiles that serve a certificate of their own (expired, for another host).
bool has_own_certificate(LabProfile profile);

// The certificate `profile` serves; shared_lab_certificate() for every other profile.
CertificateRequest lab_certificate(LabProfile profile);

}  // namespace relayaudit
