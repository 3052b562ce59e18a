// How hard one endpoint may be pushed: parallel connections and errors per connection, learned
// from what the server shows (README "Pacing").
#pragma once

#include <cstdint>

#include "results/audit_result.hpp"
#include "scheduler/audit_options.hpp"
#include "smtp/session.hpp"

namespace relayaudit {

// What a batch may hold: failing commands in all, and syntax errors among them.
struct ErrorBudget {
  int errors = 1;
  int syntax_errors = 1;
};

class EndpointPacing {
 public:
  explicit EndpointPacing(const AuditOptions& options);

  int connection_cap() const { return facts_.connection_cap; }
  ErrorBudget budget() const {
    return {facts_.errors_per_connection, facts_.syntax_errors_per_connection};
  }

  // After each reply: hang_up when every reply has begun to wait (an error sleep), so the
  // connection's remaining tests run on new connections that stay below the limit.
  PaceAction on_reply(const ReplyTiming& timing);
  // A session ended: a 421 or a drop after k errors teaches the limit. True when it was refused
  // for too many connections while `others_open` of ours were open (its tests run again).
  bool on_session_end(const SessionEnd& end, int others_open);
  void on_connections_open(int open);
  // A banner that came this long after the TCP handshake (postscreen's greet wait).
  void on_greet_wait(std::int64_t wait_ms);
  // A tarpit or a greet wait is paid per connection: then the plan spreads over the cap.
  bool tarpit_seen() const { return facts_.tarpit_ms.has_value(); }
  bool greet_wait_seen() const { return facts_.greet_wait_ms.has_value(); }
  void on_greylist_wait() { ++facts_.greylist_waits; }
  // An address-form test was answered with `code`. A 500/501/503/504 shows the server counts
  // those forms as syntax errors (Exim, Haraka): the smaller syntax budget binds. Once
  // kFormsBeforeLift forms were answered otherwise (550/554: parsed, then refused), the forms are
  // ordinary errors there and the syntax budget is lifted to the error budget; the first syntax
  // reply after that brings it back, and a hang-up still teaches the limit.
  void on_address_form_reply(int code);
  // Whether the syntax budget must shape the plan: the server answered a form with a syntax
  // error, or hung up over them. Before any answer it only caps each batch.
  bool syntax_budget_binding() const {
    return syntax_replies_seen_ || facts_.syntax_error_limit.has_value();
  }
  static constexpr int kFormsBeforeLift = 3;
  const PacingFacts& facts() const { return facts_; }

 private:
  // A reply this much slower than the network round trip is the server waiting on purpose.
  static bool slow(const ReplyTiming& timing);
  void learn_error_limit(int errors_tolerated);
  void learn_syntax_limit(int syntax_errors_tolerated);

  PacingFacts facts_;
  int configured_syntax_errors_ = 1;  // --syntax-errors-per-connection, as clamped
  int forms_parsed_ = 0;              // address forms answered without a syntax error
  bool syntax_replies_seen_ = false;
};

// A script that draws a syntax error (501) on strict MTAs (Exim, Haraka): routed and quoted
// address forms, and unqualified senders. They count against the smaller syntax budget.
bool draws_syntax_errors(const RelayScript& script);

}  // namespace relayaudit
