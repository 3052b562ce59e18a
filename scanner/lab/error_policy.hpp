// How a lab gateway answers a client that makes errors: the error limits of its profile, per
// session, applied to every reply on its way out.
#pragma once

#include <string_view>

#include "lab/dialogue_reply.hpp"
#include "lab/gateway_context.hpp"

namespace relayaudit {

// Errors are 4xx/5xx replies; protocol errors are the 500, 501, 503 and 504 among them (syntax
// and sequence errors). Per profile, with LabOptions' limits (defaults in brackets):
// - error-limit: the error_limit-th [10] error reply is replaced by
//   "421 4.7.0 <host> Error: too many errors", then the session closes.
// - error-sleep (Postfix smtpd.c and smtpd_chat.c): every reply waits error_sleep [1 s] while the
//   session has soft_error_limit [3] errors or more. An error counts only once its reply is out,
//   so the first delayed reply is the one AFTER the 3rd error reply (the 3rd itself is not).
//   Right after the hard_error_limit-th [5] error reply, without waiting for a command,
//   "421 4.7.0 <host> Error: too many errors" follows (itself after one more error_sleep), then
//   the session closes.
// - exchange-tarpit: each 5xx reply to RCPT waits tarpit_delay [5 s]; right after the
//   protocol_error_limit-th [5] protocol error reply, "421 4.7.0 Too many errors on this
//   connection, closing transmission channel" follows, then the session closes.
// - exim-syntax-limit (Exim smtp_in.c synprot_error()): the protocol error that makes the count
//   exceed syntax_error_limit [3], i.e. the 4th, is answered "501-<its text>" followed by
//   "501 Too many syntax or protocol errors" (its own code on both lines), then the session closes.
class ErrorPolicy {
 public:
  explicit ErrorPolicy(const GatewayContext& gateway) : gateway_(gateway) {}

  // Paces, amends or replaces `reply`, which answers `verb` ("" for a line too long to read as a
  // command), in place: it is on every reply's path.
  void apply(DialogueReply& reply, std::string_view verb);

 private:
  void apply_limits(DialogueReply& reply, bool error, bool protocol_error);

  const GatewayContext& gateway_;
  int errors_ = 0;           // 4xx/5xx replies sent in this session
  int protocol_errors_ = 0;  // 500, 501, 503, 504 replies sent in this session
};

}  // namespace relayaudit
