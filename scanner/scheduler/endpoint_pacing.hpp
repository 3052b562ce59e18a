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
  const PacingFacts& facts() const { return facts_; }

 private:
  // A reply this much slower than the network round trip is the server waiting on purpose.
  static bool slow(const ReplyTiming& timing);
  void learn_error_limit(int errors_tolerated);
  void learn_syntax_limit(int syntax_errors_tolerated);

  PacingFacts facts_;
};

// A script that draws a syntax error (501) on strict MTAs (Exim, Haraka): routed and quoted
// address forms, and unqualified senders. They count against the smaller syntax budget.
bool draws_syntax_errors(const RelayScript& script);

}  // namespace relayaudit
