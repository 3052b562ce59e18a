// Lab certificates: made in memory at start, one context per distinct certificate.
#include "lab/lab_certificates.hpp"

namespace relayaudit {

CertificateRequest shared_lab_certificate() {
  return {"lab.relayaudit.test",
          {"lab.relayaudit.test", "*.lab.relayaudit.test", "localhost"},
          -1,
          365};
}

bool has_own_certificate(LabProfile profile) {
  return profile == LabProfile::expired_cert || profile == LabProfile::wrong_host_cert;
}

CertificateRequest lab_certificate(LabProfile profile) {
  CertificateRequest request = shared_lab_certificate();
  if (profile == LabProfile::expired_cert) {
    request.valid_from_days = -30;  // expired yesterday: days_left is -1, not a rounded 0
    request.valid_until_days = -1;
  }
  if (profile == LabProfile::wrong_host_cert) {
    request.common_name = "mx.other.invalid";
    request.dns_names = {"mx.other.invalid"};
  }
  return request;
}

}  // namespace relayaudit
