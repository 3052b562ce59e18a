// Everything that shapes how one endpoint is audited (defaults documented in README).
#pragma once

#include <cstddef>
#include <string>

#include "core/duration.hpp"
#include "smtp/session.hpp"

namespace relayaudit {

// Which paths the plan runs on when a server offers STARTTLS (--tls; never: no TLS context).
enum class TlsPaths {
  baseline_plaintext,  // auto: the whole plan inside TLS, the baseline and controls also plain
  both,                // the whole plan on both paths
};

struct AuditOptions {
  SessionOptions session;
  int tests_per_connection = 6;  // Postfix slows down after 10 errors and drops after 20
  int connections_per_endpoint = 1;
  TlsPaths tls_paths = TlsPaths::baseline_plaintext;
  int max_attempts = 3;           // tries per test, and connections in a row that made no progress
  int greylist_retries = 2;       // extra tries after a 4xx at RCPT
  Millis greylist_delay{60'000};  // wait before each of those tries
  std::string external_from = "relayaudit-sender@relayaudit-external.invalid";
  std::string external_to = "relayaudit-probe@relayaudit-external.invalid";
  bool confirm_data = false;  // opt-in: DATA after an accepted relay attempt, hang up on 354
  // The postmaster control runs for at most this many of the mail domains an endpoint serves:
  // a hosting MX behind thousands of scanned domains must not get thousands of RCPTs.
  int domain_controls = 16;
  // Bytes of transcript kept per endpoint; past it lines keep only their start (verdicts use the
  // whole replies).
  std::size_t transcript_cap = 256 * 1024;
  // Bytes of each reply kept in a test result once its verdict is made.
  std::size_t reply_cap = 4096;
};

}  // namespace relayaudit
