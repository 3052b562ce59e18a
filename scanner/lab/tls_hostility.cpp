// Server contexts and junk bytes for the lab's TLS profiles.
#include "lab/tls_hostility.hpp"

namespace relayaudit {
namespace {

// About 450 bytes a copy: 6,000 copies make a Certificate message of 2.7 MB, far past the
// 100 KiB a client takes by default (SSL_CTX_set_max_cert_list).
constexpr std::size_t kHugeChainCopies = 6000;

}  // namespace

bool is_tls_profile(LabProfile profile) {
  switch (profile) {
    case LabProfile::tls_garbage:
    case LabProfile::tls_stall:
    case LabProfile::starttls_injection:
    case LabProfile::tls_legacy:
    case LabProfile::tls_huge_chain:
    case LabProfile::tls_renegotiate:
    case LabProfile::tls_garbage_records:
      return true;
    default:
      return false;
  }
}

TlsHostility tls_hostility(LabProfile profile) {
  switch (profile) {
    case LabProfile::tls_garbage:
      return TlsHostility::garbage;
    case LabProfile::tls_stall:
      return TlsHostility::stall;
    case LabProfile::tls_garbage_records:
      return TlsHostility::garbage_records;
    case LabProfile::tls_renegotiate:
      return TlsHostility::renegotiate;
    default:
      return TlsHostility::none;
  }
}

std::optional<TlsServerPolicy> tls_policy(LabProfile profile) {
  TlsServerPolicy policy;
  switch (profile) {
    case LabProfile::tls_legacy:
      policy.min_version = TlsVersion::tls1;
      return policy;
    case LabProfile::tls_renegotiate:
      policy.max_version = TlsVersion::tls1_2;  // TLS 1.3 has no renegotiation
      policy.renegotiation = true;
      return policy;
    case LabProfile::tls_huge_chain:
      policy.chain_padding = kHugeChainCopies;
      return policy;
    default:
      return std::nullopt;
  }
}

std::string garbage_handshake_reply() {
  std::string bytes = "\x42\x42\x42\x42\x42";  // content type 0x42 exists in no TLS version
  for (int i = 0; i < 64; ++i) bytes += static_cast<char>((i * 37 + 11) & 0xff);
  return bytes;
}

std::string garbage_records() {
  std::string bytes;
  for (int record = 0; record < 2; ++record) {
    bytes += std::string("\x17\x03\x03\x00\x40", 5);  // application data, TLS 1.2 framing, 64 B
    for (int i = 0; i < 64; ++i) bytes += static_cast<char>((i * 53 + record) & 0xff);
  }
  return bytes;
}

}  // namespace relayaudit
