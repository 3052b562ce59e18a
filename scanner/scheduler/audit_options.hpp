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
  // Failing commands per connection until the server shows its limit: Postfix slows every reply
  // after 10 errors (smtpd_soft_error_limit) and hangs up after 20.
  int tests_per_connection = 8;
  // Of those, syntax errors (501 to address forms): Exim hangs up past 3 (smtp_max_synprot_errors).
  int syntax_errors_per_connection = 3;
  // The library's 16 address-form tests at 3 a connection need 6: one round, so a greet wait or a
  // tarpit is paid once. Postfix allows 50 connections per client, Exchange 20.
  int connections_per_endpoint = 6;
  TlsPaths tls_paths = TlsPaths::baseline_plaintext;
  int max_attempts = 3;           // tries per test, and connections in a row that made no progress
  int greylist_retries = 2;       // extra tries after a 4xx at RCPT
  Millis greylist_delay{60'000};  // wait before each of those tries
  std::string external_from = "relayaudit-sender@relayaudit-external.invalid";
  std::string external_to = "relayaudit-probe@relayaudit-external.invalid";
  // --mail-domain: the domain host and address targets receive mail for, where DNS named none.
  // {target_domain} stands for it, and the control asks postmaster@ it first.
  std::string mail_domain;
  bool confirm_data = false;  // opt-in: DATA after an accepted relay attempt, hang up on 354
  // The postmaster control runs for at most this many of the mail domains an endpoint serves:
  // a hosting MX behind thousands of scanned domains must not get thousands of RCPTs.
  int domain_controls = 16;
  // Bytes of transcript kept per endpoint; past it lines keep only their start (verdicts use the
  // whole replies).
  std::size_t transcript_cap = 256 * 1024;
  // Bytes of each reply kept in a test result once its verdict is made.
  std::size_t reply_cap = 4096;
  // --tls-probe: extra connections once the plan is done, for endpoints that reached TLS.
  bool tls_probe_versions = false;   // one handshake pinned to TLSv1, one to TLSv1.1
  bool tls_probe_injection = false;  // STARTTLS and NOOP in one write (CVE-2011-0411 class)
};

}  // namespace relayaudit
