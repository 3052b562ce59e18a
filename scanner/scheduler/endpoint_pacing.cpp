// Pacing rules: what a slow reply, a 421 or a drop says about the server's limits.
#include "scheduler/endpoint_pacing.hpp"

#include <algorithm>

namespace relayaudit {
namespace {

// A reply waited on purpose when it took this long beyond two network round trips.
constexpr std::int64_t kDeliberateDelayMs = 500;
// A banner this much later than the TCP handshake is a greet wait (postscreen, greet_pause).
constexpr std::int64_t kGreetWaitMs = 500;

bool has_tag(const RelayScript& script, std::string_view tag) {
  return std::find(script.tags.begin(), script.tags.end(), tag) != script.tags.end();
}

}  // namespace

bool draws_syntax_errors(const RelayScript& script) {
  return has_tag(script, "address-form") || has_tag(script, "unqualified");
}

EndpointPacing::EndpointPacing(const AuditOptions& options) {
  facts_.connection_cap = std::max(1, options.connections_per_endpoint);
  facts_.errors_per_connection = std::max(1, options.tests_per_connection);
  facts_.syntax_errors_per_connection =
      std::clamp(options.syntax_errors_per_connection, 1, facts_.errors_per_connection);
  configured_syntax_errors_ = facts_.syntax_errors_per_connection;
}

void EndpointPacing::on_address_form_reply(int code) {
  if (code == 500 || code == 501 || code == 503 || code == 504) {
    syntax_replies_seen_ = true;
    facts_.syntax_errors_per_connection =
        std::min(facts_.syntax_errors_per_connection, configured_syntax_errors_);
    return;
  }
  if (syntax_budget_binding()) return;
  if (++forms_parsed_ == kFormsBeforeLift) {
    facts_.syntax_errors_per_connection = facts_.errors_per_connection;
  }
}

bool EndpointPacing::slow(const ReplyTiming& timing) {
  return timing.wait_ms >= kDeliberateDelayMs + 2 * timing.round_trip_ms;
}

PaceAction EndpointPacing::on_reply(const ReplyTiming& timing) {
  if (timing.command == SmtpCommand::quit || !slow(timing)) return PaceAction::carry_on;
  const bool rejected_rcpt = timing.command == SmtpCommand::rcpt && timing.code >= 500;
  if (rejected_rcpt && (timing.errors_before == 0 || facts_.tarpit_ms)) {
    // A tarpit (Exchange TarpitInterval): every refused RCPT waits. Found first, the connection
    // hangs up so the rest of its batch spreads over parallel connections.
    const bool first_seen = !facts_.tarpit_ms;
    facts_.tarpit_ms = std::max(facts_.tarpit_ms.value_or(0), timing.wait_ms);
    return first_seen ? PaceAction::hang_up : PaceAction::carry_on;
  }
  // Slow before any error, or slow all along: a slow server, not one that punishes errors.
  ReplyTiming earlier = timing;
  earlier.wait_ms = timing.slowest_before_ms;
  if (timing.errors_before_last == 0 || slow(earlier)) return PaceAction::carry_on;
  // Postfix smtpd_soft_error_limit: after k errors every reply sleeps, and what it had buffered
  // comes just before the first sleep. k - 1 stay fast.
  facts_.error_limit = timing.errors_before_last;
  learn_error_limit(timing.errors_before_last - 1);
  return PaceAction::hang_up;
}

bool EndpointPacing::on_session_end(const SessionEnd& end, int others_open) {
  if (end.banner_ms >= 0) on_greet_wait(end.banner_ms - std::max<std::int64_t>(0, end.connect_ms));
  const bool closed_by_421 = end.refusal && end.refusal->code == 421;
  if (closed_by_421 && end.stage == Stage::banner && others_open > 0) {
    // "421 4.3.2 The maximum number of concurrent connections has exceeded a limit".
    facts_.connection_limit_seen = true;
    facts_.connection_cap = std::min(facts_.connection_cap, others_open);
    return true;
  }
  const bool dropped = closed_by_421 || end.status == Status::closed_by_server;
  if (!dropped || end.hung_up || !end.greeted || end.errors == 0) return false;
  if (end.syntax_errors > 0) {
    // Exim smtp_max_synprot_errors: past the limit it answers the error, then 421 and hangs up.
    facts_.syntax_error_limit = end.syntax_errors;
    learn_syntax_limit(end.syntax_errors - 1);
  } else {
    // Postfix smtpd_hard_error_limit, Exchange MaxProtocolErrors: 421 after k errors.
    facts_.error_limit = std::min(facts_.error_limit.value_or(end.errors), end.errors);
    learn_error_limit(end.errors - 1);
  }
  return false;
}

void EndpointPacing::on_greet_wait(std::int64_t wait_ms) {
  if (wait_ms < kGreetWaitMs) return;
  facts_.greet_wait_ms = std::max(facts_.greet_wait_ms.value_or(0), wait_ms);
}

void EndpointPacing::on_connections_open(int open) {
  facts_.peak_connections = std::max(facts_.peak_connections, open);
}

void EndpointPacing::learn_error_limit(int errors_tolerated) {
  facts_.errors_per_connection = std::clamp(errors_tolerated, 1, facts_.errors_per_connection);
  facts_.syntax_errors_per_connection =
      std::min(facts_.syntax_errors_per_connection, facts_.errors_per_connection);
}

void EndpointPacing::learn_syntax_limit(int syntax_errors_tolerated) {
  facts_.syntax_errors_per_connection =
      std::clamp(syntax_errors_tolerated, 1, facts_.syntax_errors_per_connection);
}

}  // namespace relayaudit
