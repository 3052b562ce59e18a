// Endpoint audit: connection plan, retry rules (421, drops, greylisting) and the verdict.
#include "scheduler/endpoint_audit.hpp"

#include <algorithm>
#include <random>

#include "relaytests/placeholders.hpp"
#include "scheduler/evidence.hpp"
#include "scheduler/reply_cap.hpp"
#include "scheduler/tls_findings.hpp"
#include "scheduler/verdict_reason.hpp"
#include "smtp/refusal_reason.hpp"

namespace relayaudit {
namespace {

bool addresses_target_domain(const RelayScript& script) {
  return std::any_of(script.rcpt_to.begin(), script.rcpt_to.end(), [](const std::string& rcpt) {
    return rcpt.find("{target_domain}") != std::string::npos;
  });
}

// A relay attempt whose decisive recipient is written at {target_domain}: the "-domain" variants
// of the address-form tricks, which mean nothing new where the host name stands in for it.
bool decided_at_target_domain(const RelayScript& script) {
  return script.kind == ScriptKind::relay && !script.rcpt_to.empty() &&
         script.rcpt_to.back().find("{target_domain}") != std::string::npos;
}

std::string make_token() {
  static std::mt19937_64 generator{std::random_device{}()};
  static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::string token;
  for (int i = 0; i < 10; ++i) token += kAlphabet[generator() % (sizeof(kAlphabet) - 1)];
  return token;
}

std::string address_literal(const Endpoint& endpoint) {
  return endpoint.ipv6 ? "[IPv6:" + endpoint.address + "]" : "[" + endpoint.address + "]";
}

// Under --tls auto these also run in plaintext: a policy that differs without TLS shows there.
bool plaintext_baseline(const RelayScript& script) {
  static constexpr std::string_view kBaseline[] = {"relay-external-sender", "relay-null-sender",
                                                   "relay-spoofed-local-sender"};
  return script.kind == ScriptKind::control ||
         std::find(std::begin(kBaseline), std::end(kBaseline), script.id) != std::end(kBaseline);
}

bool is_final_connect_failure(Status status) {
  // A refused or unroutable address will not change within a scan; timeouts may.
  return status == Status::connection_refused || status == Status::network_unreachable ||
         status == Status::host_unreachable;
}

}  // namespace

EndpointAudit::EndpointAudit(uv_loop_t* loop, Endpoint endpoint,
                             const std::vector<RelayScript>& plan, const AuditOptions& options,
                             ConnectionSlots& slots, DoneCallback on_done)
    : loop_(loop),
      options_(options),
      slots_(slots),
      on_done_(std::move(on_done)),
      pacing_(options),
      transcript_budget_(options.transcript_cap) {
  result_.endpoint = std::move(endpoint);
  // Port 465 is submission over implicit TLS (RFC 8314 §3.3): the banner comes inside TLS.
  result_.implicit_tls = options.session.tls_context != nullptr &&
                         (result_.endpoint.implicit_tls || result_.endpoint.port == 465);
  if (result_.endpoint.ipv6) {
    uv_ip6_addr(result_.endpoint.address.c_str(), result_.endpoint.port,
                reinterpret_cast<sockaddr_in6*>(&address_));
  } else {
    uv_ip4_addr(result_.endpoint.address.c_str(), result_.endpoint.port,
                reinterpret_cast<sockaddr_in*>(&address_));
  }
  for (const RelayScript& script : plan) {
    // Port-bound scripts (submission without AUTH) apply only to endpoints on those ports.
    if (!script.ports.empty() && std::find(script.ports.begin(), script.ports.end(),
                                           result_.endpoint.port) == script.ports.end()) {
      continue;
    }
    const auto& domains = result_.endpoint.mail_domains;
    if (domains.empty() && declared_mail_domain().empty() && decided_at_target_domain(script)) {
      continue;
    }
    add_test(script, domains.empty() ? std::string() : domains.front());
    // Every domain served here must be accepted: its control runs once per further domain.
    if (script.kind == ScriptKind::control && addresses_target_domain(script)) {
      const auto cap = static_cast<std::size_t>(std::max(1, options_.domain_controls));
      for (std::size_t i = 1; i < domains.size() && i < cap; ++i) add_test(script, domains[i]);
      if (domains.size() > cap) result_.domains_unchecked = static_cast<int>(domains.size() - cap);
    }
  }
  random_token_ = make_token();
}

const std::string& EndpointAudit::declared_mail_domain() const {
  return !result_.endpoint.declared_mail_domain.empty() ? result_.endpoint.declared_mail_domain
                                                        : options_.mail_domain;
}

void EndpointAudit::add_plain_reruns() {
  if (plain_reruns_added_) return;
  plain_reruns_added_ = true;
  const std::size_t planned = tests_.size();
  for (std::size_t i = 0; i < planned; ++i) {
    const RelayScript& script = *tests_[i].script;
    if (options_.tls_paths != TlsPaths::both && !plaintext_baseline(script)) continue;
    add_test(script, tests_[i].result.mail_domain);  // copied before the vector grows
    tests_.back().plain_path = true;
  }
}

void EndpointAudit::drop_plain_reruns() {
  for (auto& slot : tests_) {
    if (!slot.plain_path || slot.state != TestState::pending) continue;
    slot.state = TestState::done;  // the plan itself now runs in plaintext
    slot.dropped = true;
  }
}

void EndpointAudit::add_test(const RelayScript& script, std::string mail_domain) {
  TestSlot& slot = tests_.emplace_back();
  slot.script = &script;
  TestResult& test = slot.result;
  test.id = script.id;
  test.title = script.title;
  test.severity = script.severity;
  test.kind = script.kind;
  test.trick = script.trick;
  test.tags = script.tags;
  test.expect = script.expect;
  test.mail_domain = std::move(mail_domain);
}

EndpointAudit::~EndpointAudit() {
  close_retry_timer();
}

void EndpointAudit::close_retry_timer() {
  if (retry_timer_ == nullptr) return;
  uv_close(reinterpret_cast<uv_handle_t*>(retry_timer_),
           [](uv_handle_t* handle) { delete reinterpret_cast<uv_timer_t*>(handle); });
  retry_timer_ = nullptr;
}

void EndpointAudit::start() {
  result_.started_ms = static_cast<std::int64_t>(uv_now(loop_) - options_.session.clock_origin_ms);
  schedule();
}

std::uint64_t EndpointAudit::greylist_wait_left_ms() const {
  const std::uint64_t now = uv_now(loop_);
  if (done_ || active_sessions_ + waiting_for_slot_ > 0 || greylist_until_ <= now) return 0;
  return greylist_until_ - now;
}

bool EndpointAudit::ready(const TestSlot& slot) const {
  return slot.state == TestState::pending && slot.not_before <= uv_now(loop_);
}

std::optional<std::uint64_t> EndpointAudit::next_retry_time() const {
  std::optional<std::uint64_t> earliest;
  for (const auto& slot : tests_) {
    if (slot.state != TestState::pending) continue;
    if (!earliest || slot.not_before < *earliest) earliest = slot.not_before;
  }
  return earliest;
}

void EndpointAudit::cancel() {
  if (done_ || cancelled_) return;
  cancelled_ = true;
  close_retry_timer();
  // Copied: a cancelled session reports its end (and leaves sessions_) synchronously or later.
  const std::vector<Session*> open = sessions_;
  for (Session* session : open) session->cancel();
  if (tls_probes_) tls_probes_->cancel();
  maybe_finish();
}

void EndpointAudit::schedule() {
  if (done_) return;
  if (cancelled_) {
    maybe_finish();
    return;
  }
  // Until a connection is greeted (banner, EHLO, TLS), it runs alone: a silent port is tried with
  // TLS, a refusal or a broken STARTTLS is met once, and that decides how the rest connect.
  const int cap =
      detecting_tls_ || (!greeted_once_ && !teaser_seen_) ? 1 : pacing_.connection_cap();
  int open = active_sessions_ + waiting_for_slot_;
  for (const bool plain : {false, true}) {
    const int awaiting = awaiting_batch(plain);
    int wanted = connections_needed(plain, awaiting == 0) - awaiting;
    for (; wanted > 0 && open < cap; --wanted, ++open) {
      ++waiting_for_slot_;
      ++waiting_by_path_[plain ? 1 : 0];
      slots_.acquire([this, plain] { open_session(plain); });
    }
  }
  if (active_sessions_ + waiting_for_slot_ > 0) return;
  const auto next = next_retry_time();
  if (!next) {
    maybe_finish();
    return;
  }
  if (retry_timer_ == nullptr) {
    retry_timer_ = new uv_timer_t;
    uv_timer_init(loop_, retry_timer_);
    retry_timer_->data = this;
  }
  const std::uint64_t now = uv_now(loop_);
  uv_timer_start(
      retry_timer_, [](uv_timer_t* timer) { static_cast<EndpointAudit*>(timer->data)->schedule(); },
      *next > now ? *next - now : 0, 0);
}

int EndpointAudit::connections_needed(bool plain, bool spread_greet_wait) const {
  int tests = 0;
  int errors = 0;
  int syntax_errors = 0;
  for (const auto& slot : tests_) {
    if (!ready(slot) || slot.plain_path != plain) continue;
    ++tests;
    if (slot.script->kind != ScriptKind::control) ++errors;  // a closed server refuses it
    if (draws_syntax_errors(*slot.script)) ++syntax_errors;
  }
  if (tests == 0) return 0;
  const ErrorBudget budget = pacing_.budget();
  const int by_errors = (errors + budget.errors - 1) / budget.errors;
  // Until the server answers a form with a syntax error, the forms do not open connections of
  // their own: most servers parse them (550/554), and the budget is then lifted.
  const int by_syntax = pacing_.syntax_budget_binding()
                            ? (syntax_errors + budget.syntax_errors - 1) / budget.syntax_errors
                            : 1;
  // A tarpit or a greet wait is paid per connection: spread over the cap even when fewer would do.
  const bool spread_now = pacing_.tarpit_seen() || (pacing_.greet_wait_seen() && spread_greet_wait);
  const int spread = spread_now ? std::min(pacing_.connection_cap(), errors) : 1;
  return std::max({1, by_errors, by_syntax, spread});
}

int EndpointAudit::awaiting_batch(bool plain) const {
  int sessions = waiting_by_path_[plain ? 1 : 0];
  for (const Session* session : ungreeted_sessions_) {
    if (session->tls().plain_rerun == plain) ++sessions;
  }
  return sessions;
}

void EndpointAudit::open_session(bool plain) {
  --waiting_for_slot_;
  --waiting_by_path_[plain ? 1 : 0];
  if (cancelled_) {
    slots_.release();  // granted after the cancel: hand the slot straight back
    maybe_finish();
    return;
  }
  ++active_sessions_;
  ++sessions_opened_;
  pacing_.on_connections_open(active_sessions_);
  SessionTls tls;
  tls.plain_rerun = !result_.implicit_tls && plain;
  tls.implicit = result_.implicit_tls || detecting_tls_;
  tls.starttls = !starttls_failed_ && !tls.plain_rerun;
  tls.server_name = result_.endpoint.host_name;
  tls.detect_tls = !result_.implicit_tls && !tls_detection_done_;
  tls.resume = tls_ticket_;
  Session* session = Session::start(loop_, address_, result_.endpoint.key(), options_.session,
                                    *this, sessions_opened_, transcript_budget_, std::move(tls));
  sessions_.push_back(session);
  ungreeted_sessions_.push_back(session);
}

void EndpointAudit::on_banner_teaser(Session&) {
  if (greeted_once_ || teaser_seen_ || detecting_tls_) return;
  // A server that talks, then makes us wait (postscreen): the wait is paid once, in parallel.
  teaser_seen_ = true;
  tls_detection_done_ = true;
  schedule();
}

PaceAction EndpointAudit::on_reply_timing(Session&, const ReplyTiming& timing) {
  return pacing_.on_reply(timing);
}

std::vector<SessionTest> EndpointAudit::on_greeted(Session& session, const Greeting& greeting) {
  // A full greeting replaces a banner-only one kept from an earlier, refused session.
  if (!result_.greeting || result_.greeting->ehlo.lines.empty()) result_.greeting = greeting;
  const SessionTls& tls = session.tls();
  if (tls.implicit && !result_.implicit_tls) {
    // The silent port answered TLS: it is an implicit-TLS port, and the plan runs inside TLS.
    result_.implicit_tls = true;
    result_.tls_detected = true;
    detecting_tls_ = false;
  }
  if (!result_.implicit_tls && !tls.plain_rerun && options_.session.tls_context != nullptr) {
    if (greeting.tls) {
      add_plain_reruns();
    } else if (greeting.starttls && tls.starttls) {
      starttls_failed_ = true;  // offered, then refused (454): the plan runs in plaintext
      drop_plain_reruns();
    }
  }
  std::erase(ungreeted_sessions_, &session);
  greeted_once_ = true;
  tls_detection_done_ = true;
  pacing_.on_greet_wait(session.greet_wait_ms());
  // The connections about to join can resume this one's TLS session.
  if (TlsTicket ticket = session.tls_ticket()) tls_ticket_ = std::move(ticket);
  std::vector<SessionTest> batch = take_batch(greeting, tls.plain_rerun);
  schedule();  // the others join now, for what this batch left
  return batch;
}

std::vector<SessionTest> EndpointAudit::take_batch(const Greeting& greeting, bool plain) {
  int errors = 0;
  int syntax_errors = 0;
  int own_ehlo = 0;
  for (const auto& slot : tests_) {
    if (!ready(slot) || slot.plain_path != plain) continue;
    if (slot.script->kind != ScriptKind::control) ++errors;
    if (draws_syntax_errors(*slot.script)) ++syntax_errors;
    if (!slot.script->ehlo.empty()) ++own_ehlo;
  }
  // Spread over this connection and those about to ask, so a tarpit or a greet wait is paid in
  // parallel; never above what the server showed it tolerates.
  // Connections that will share the ready tests: those about to ask, or as many as the tests need
  // within the cap (counting this one, not the ones already busy with a batch).
  const int busy = active_sessions_ - static_cast<int>(ungreeted_sessions_.size()) - 1;
  const int room = std::max(1, pacing_.connection_cap() - busy);
  const int sharing =
      std::max(1 + awaiting_batch(plain), std::min(connections_needed(plain, false), room));
  const ErrorBudget budget = pacing_.budget();
  const int error_quota = std::min(budget.errors, (errors + sharing - 1) / sharing);
  const int syntax_quota = std::min(budget.syntax_errors, (syntax_errors + sharing - 1) / sharing);
  // A test with its own EHLO name costs a round trip of its own: spread those too.
  const int ehlo_quota = (own_ehlo + sharing - 1) / sharing;
  // Syntax-drawing tests first, up to their quota, so they do not pile up on the last
  // connection; then the others up to the error quota. The batch keeps the plan's order.
  std::vector<bool> chosen(tests_.size(), false);
  int taken_errors = 0;
  int taken_syntax = 0;
  int taken_ehlo = 0;
  for (const bool syntax_pass : {true, false}) {
    for (std::size_t i = 0; i < tests_.size(); ++i) {
      const TestSlot& slot = tests_[i];
      if (chosen[i] || !ready(slot) || slot.plain_path != plain) continue;
      const bool error = slot.script->kind != ScriptKind::control;
      const bool syntax = draws_syntax_errors(*slot.script);
      if (syntax != syntax_pass) continue;
      const bool ehlo = !slot.script->ehlo.empty();
      if ((error && taken_errors >= error_quota) || (syntax && taken_syntax >= syntax_quota) ||
          (ehlo && taken_ehlo >= ehlo_quota)) {
        continue;
      }
      taken_errors += error ? 1 : 0;
      taken_syntax += syntax ? 1 : 0;
      taken_ehlo += ehlo ? 1 : 0;
      chosen[i] = true;
    }
  }
  std::vector<SessionTest> batch;
  for (std::size_t i = 0; i < tests_.size(); ++i) {
    if (!chosen[i]) continue;
    TestSlot& slot = tests_[i];
    if (slot.deferrals > 0 && slot.not_before > paid_greylist_wait_) {
      paid_greylist_wait_ = slot.not_before;  // the first retry after this wait
      pacing_.on_greylist_wait();
    }
    slot.state = TestState::running;
    expand(slot, greeting);
    const bool confirm = options_.confirm_data && slot.script->kind == ScriptKind::relay;
    batch.push_back(
        SessionTest{i, slot.result.ehlo, slot.result.mail_from, slot.result.rcpt_to, confirm});
  }
  return batch;
}

void EndpointAudit::expand(TestSlot& slot, const Greeting& greeting) {
  PlaceholderValues values;
  values.ext_from = options_.external_from;
  values.ext_to = options_.external_to;
  values.target_ip = address_literal(result_.endpoint);
  // The host name comes from DNS or the EHLO reply, never from a guess at the banner's words.
  values.target_host = !result_.endpoint.host_name.empty() ? result_.endpoint.host_name
                       : !greeting.server_domain.empty()   ? greeting.server_domain
                                                           : values.target_ip;
  // The mail domain whose MX led here, else the declared one; without one, the host name stands in.
  const std::string& mail_domain =
      !slot.result.mail_domain.empty() ? slot.result.mail_domain : declared_mail_domain();
  values.target_domain = !mail_domain.empty() ? mail_domain : values.target_host;
  values.target_sender_domain = forged_sender_domain(mail_domain, values.target_host);
  values.scanner_ehlo = options_.session.ehlo_name;
  values.random = random_token_;
  const RelayScript& script = *slot.script;
  TestResult& test = slot.result;
  test.ehlo =
      script.ehlo.empty() ? options_.session.ehlo_name : expand_placeholders(script.ehlo, values);
  test.mail_from =
      slot.sender_override ? *slot.sender_override : expand_placeholders(script.mail_from, values);
  test.rcpt_to.clear();
  for (const auto& rcpt : script.rcpt_to) test.rcpt_to.push_back(expand_placeholders(rcpt, values));
  if (slot.recipient_override) test.rcpt_to = {*slot.recipient_override};
}

std::optional<std::string> EndpointAudit::next_control_recipient(const TestSlot& slot) const {
  const TestResult& test = slot.result;
  std::vector<std::string> forms;
  if (!declared_mail_domain().empty()) forms.push_back("postmaster@" + declared_mail_domain());
  forms.push_back("postmaster");
  forms.push_back("postmaster@" + address_literal(result_.endpoint));
  const std::string& host = !result_.endpoint.host_name.empty() ? result_.endpoint.host_name
                            : result_.greeting                  ? result_.greeting->server_domain
                                                                : std::string();
  if (!host.empty()) forms.push_back("postmaster@" + host);
  for (const std::string& form : forms) {
    const bool tried = (!test.rcpt_to.empty() && test.rcpt_to.back() == form) ||
                       std::any_of(slot.refused_controls.begin(), slot.refused_controls.end(),
                                   [&](const auto& refused) { return refused.recipient == form; });
    if (!tried) return form;
  }
  return std::nullopt;
}

void EndpointAudit::on_test_done(Session&, SessionTestResult&& result) {
  TestSlot& slot = tests_[result.index];
  TestResult& test = slot.result;
  ++test.attempts;
  if (draws_syntax_errors(*slot.script) && result.reply && !result.interrupted) {
    pacing_.on_address_form_reply(result.reply->code);
  }
  if (result.interrupted && test.attempts < options_.max_attempts) {
    // The connection broke before the decisive reply: keep the evidence, run it again.
    test.transcript = std::move(result.transcript);
    slot.state = TestState::pending;
    return;
  }
  const bool unverified_relay = result.unverified && result.outcome == Outcome::accepted &&
                                slot.script->kind == ScriptKind::relay;
  if (unverified_relay && test.attempts < options_.max_attempts) {
    // An acceptance counts once a connection shows, by QUIT, that its replies were in step.
    test.transcript = std::move(result.transcript);
    slot.state = TestState::pending;
    return;
  }
  if (unverified_relay) {
    result.detail = "accepted, but no connection reached QUIT to show the replies were in step";
  }
  if (!result.interrupted && result.outcome == Outcome::blocked && result.stage == Stage::mail &&
      result.reply && result.reply->permanent()) {
    const RefusalReason reason = classify_refusal(*result.reply);
    const bool refuses_everyone =
        reason == RefusalReason::auth_required || reason == RefusalReason::tls_required;
    if (slot.script->trick == ScriptTrick::sender && !refuses_everyone) {
      // The forged sender is the trick: refusing it at MAIL FROM refuses the relay attempt.
      result.outcome = Outcome::rejected;
      test.detail = "the forged sender was refused at MAIL FROM";
    } else if (refuses_everyone) {
      test.detail = "MAIL FROM refused for every sender until authentication or TLS";
    } else if (auto sender = next_fallback_sender(slot)) {
      // The trick never reached RCPT: run it again with a sender the server may accept.
      test.refused_senders.push_back(RefusedSender{test.mail_from, *result.reply});
      test.transcript = std::move(result.transcript);
      slot.sender_override = *sender;
      slot.state = TestState::pending;
      return;
    } else {
      test.refused_senders.push_back(RefusedSender{test.mail_from, *result.reply});
      test.detail = "every sender was refused at MAIL FROM: the trick was never tested";
    }
  }
  // A refused postmaster form may only be the wrong name for this gateway (a relay-only host
  // whose own name is not a mail domain): the next form is tried. A domain's own control (DNS)
  // is not: its refusal is a finding about that domain.
  const bool control_refused = slot.script->kind == ScriptKind::control &&
                               slot.result.mail_domain.empty() && !result.interrupted &&
                               result.outcome == Outcome::rejected && result.reply;
  if (control_refused) {
    if (auto next = next_control_recipient(slot)) {
      const Reply& refusal = *result.reply;
      slot.refused_controls.push_back({test.rcpt_to.back(), refusal.lines.empty()
                                                                ? std::to_string(refusal.code)
                                                                : refusal.lines.front()});
      test.transcript = std::move(result.transcript);
      slot.recipient_override = *next;
      slot.state = TestState::pending;
      return;
    }
  }
  if (result.outcome != Outcome::deferred) answered_otherwise_ = true;
  if (result.outcome == Outcome::deferred && slot.deferrals < options_.greylist_retries) {
    // Greylisting answers 4xx to the first try of a triplet; a later try gets the real answer.
    ++slot.deferrals;
    test.transcript = std::move(result.transcript);
    test.reply = std::move(result.reply);  // the 4xx, should it be the last answer
    slot.state = TestState::pending;
    settle_if_everything_deferred();
    if (slot.state == TestState::pending) wait_for_greylisting(slot);
    return;
  }
  settle(slot, std::move(result), true);
  settle_if_everything_deferred();
}

void EndpointAudit::wait_for_greylisting(TestSlot& slot) {
  const std::uint64_t now = uv_now(loop_);
  const std::uint64_t until = now + static_cast<std::uint64_t>(options_.greylist_delay.count());
  // One wait for the endpoint: every test deferred meanwhile retries with this one.
  greylist_until_ = std::max(greylist_until_, until);
  slot.not_before = greylist_until_;
  for (auto& other : tests_) {
    if (other.state == TestState::pending && other.deferrals > 0 && other.not_before > now) {
      other.not_before = greylist_until_;
    }
  }
}

void EndpointAudit::settle_if_everything_deferred() {
  if (answered_otherwise_ || options_.greylist_retries < 2) return;
  const bool all_retried = std::all_of(tests_.begin(), tests_.end(), [](const TestSlot& slot) {
    return slot.dropped || (slot.state == TestState::pending && slot.deferrals >= 2) ||
           (slot.state == TestState::done && slot.result.outcome == Outcome::deferred);
  });
  if (!all_retried) return;
  for (auto& slot : tests_) {
    if (slot.dropped || slot.state != TestState::pending) continue;
    SessionTestResult result;
    result.outcome = Outcome::deferred;
    result.stage = Stage::rcpt;
    result.reply = slot.result.reply;
    result.transcript = std::move(slot.result.transcript);
    result.detail =
        "deferred (4xx) on the first try and again after a greylisting wait, as was every other "
        "test, the control included: the server defers everything";
    settle(slot, std::move(result), true);
  }
}

std::optional<std::string> EndpointAudit::next_fallback_sender(const TestSlot& slot) const {
  // The external sender first, then the null sender, which RFC 5321 §4.5.5 says must be accepted.
  for (const std::string& candidate : {options_.external_from, std::string()}) {
    const TestResult& test = slot.result;
    const bool tried =
        candidate == test.mail_from ||
        std::any_of(test.refused_senders.begin(), test.refused_senders.end(),
                    [&](const RefusedSender& refused) { return refused.sender == candidate; });
    if (!tried) return candidate;
  }
  return std::nullopt;
}

void EndpointAudit::settle(TestSlot& slot, SessionTestResult&& result, bool greeted) {
  TestResult& test = slot.result;
  slot.state = TestState::done;
  slot.greeted = greeted;
  test.outcome = result.outcome;
  test.stage = result.stage;
  test.status = result.status;
  test.reply = std::move(result.reply);
  test.data_reply = std::move(result.data_reply);
  test.transcript = std::move(result.transcript);
  test.over_tls = result.over_tls;
  if (test.reply && !test.reply->positive()) {
    test.refusal = std::string(to_string(classify_refusal(*test.reply)));
  }
  // Judged on the whole reply above; the result keeps a bounded copy.
  if (test.reply) cap_reply(*test.reply, options_.reply_cap);
  if (test.data_reply) cap_reply(*test.data_reply, options_.reply_cap);
  test.verdict = test.kind == ScriptKind::probe ? judge_probe(test.outcome)
                                                : judge_test(test.expect, test.outcome);
  if (!test.refused_senders.empty() && test.outcome != Outcome::blocked) {
    test.detail = "MAIL FROM:<" + test.refused_senders.front().sender +
                  "> was refused; the trick was tested with MAIL FROM:<" + test.mail_from + ">";
  }
  if (!slot.refused_controls.empty()) {
    std::string refused;
    for (const auto& form : slot.refused_controls) {
      refused += (refused.empty() ? "<" : ", <") + form.recipient + "> (" + form.reply + ")";
    }
    test.detail = test.outcome == Outcome::accepted
                      ? "refused first: " + refused + "; accepted: <" + test.rcpt_to.back() + ">"
                      : "every postmaster form was refused: " + refused + ", <" +
                            test.rcpt_to.back() +
                            ">; give --mail-domain D, the domain this gateway receives mail for";
  }
  if (test.outcome == Outcome::deferred) {
    test.detail = "still 4xx after " + std::to_string(slot.deferrals) + " greylisting retries";
  } else if (result.interrupted) {
    test.detail = "connection broke before the decisive reply on every one of " +
                  std::to_string(test.attempts) + " attempts";
  }
  if (!result.detail.empty()) test.detail = std::move(result.detail);
}

void EndpointAudit::fail_pending(Outcome outcome, Stage stage, Status status,
                                 const std::optional<Reply>& reply, const std::string& detail,
                                 bool greeted) {
  for (auto& slot : tests_) {
    if (slot.state != TestState::pending) continue;
    SessionTestResult result;
    result.outcome = outcome;
    result.stage = stage;
    result.status = status;
    result.reply = reply;
    if (slot.result.attempts == 0) slot.result.attempts = 1;
    settle(slot, std::move(result), greeted);
    slot.result.detail = detail;
  }
}

void EndpointAudit::on_session_end(Session& session, SessionEnd&& end) {
  --active_sessions_;
  std::erase(sessions_, &session);
  std::erase(ungreeted_sessions_, &session);
  slots_.release();
  ++result_.connections;
  result_.round_trips += end.round_trips;
  result_.status = end.status;
  result_.stage = end.stage;
  result_.error = end.error;
  for (std::size_t index : end.unsent) tests_[index].state = TestState::pending;
  result_.transcript.insert(result_.transcript.end(),
                            std::make_move_iterator(end.transcript.begin()),
                            std::make_move_iterator(end.transcript.end()));
  if (!result_.greeting && end.greeting) result_.greeting = std::move(end.greeting);
  if (result_.greeting) {
    cap_reply(result_.greeting->banner, options_.reply_cap);
    cap_reply(result_.greeting->ehlo, options_.reply_cap);
  }

  if (!end.vantage_failure.empty()) {
    // Our own address's view is not the outsider's: nothing is judged on it, nor asked again.
    record_tls(end);
    fail_pending(Outcome::blocked, end.stage, Status::ok, end.refusal,
                 std::string(kVantageNotSimulated) + ": " + end.vantage_failure, end.greeted);
    schedule();
    return;
  }
  // A session that settled a test, or ended cleanly with nothing to do, is progress.
  const bool progressed = end.tests_finished > 0 || (end.status == Status::ok && !end.refusal);
  const bool detection = session.tls().implicit && !result_.implicit_tls;
  if (end.silent && !tls_detection_done_) {
    // Not one byte: an implicit-TLS port waits for our ClientHello. One connection tries it.
    detecting_tls_ = true;
    tls_detection_done_ = true;
    schedule();
    return;
  }
  tls_detection_done_ = true;
  if (detection) {
    // Not TLS either: a slow plaintext greeter. The plan runs plain, with the full banner wait.
    detecting_tls_ = false;
    result_.status = Status::ok;
    result_.error.clear();
    schedule();
    return;
  }
  // Refused for too many connections, or hung up by our pacing: the cap or the budget was lowered
  // and its tests run again; neither is a failure of the server to talk.
  const bool too_many_connections = pacing_.on_session_end(end, active_sessions_);
  // A STARTTLS that broke teaches the next connections to stay plain: not a fruitless one.
  const bool tls_broke_once =
      !result_.implicit_tls && !starttls_failed_ && session.tls().starttls &&
      (end.status == Status::tls_handshake_failed || end.status == Status::tls_timeout ||
       end.status == Status::tls_protocol_error);
  if (too_many_connections || end.hung_up || tls_broke_once) {
    record_tls(end);
    result_.status = Status::ok;
    result_.error.clear();
    schedule();
    return;
  }
  fruitless_sessions_ = progressed ? 0 : fruitless_sessions_ + 1;
  out_of_step_sessions_ = end.out_of_step.empty() ? 0 : out_of_step_sessions_ + 1;
  record_tls(end);
  const bool refused = end.refusal && end.refusal->permanent();
  if (out_of_step_sessions_ >= options_.max_attempts) {
    // A server whose every connection lies is not asked again for each remaining test.
    fail_pending(Outcome::error, end.stage, Status::protocol_error, std::nullopt,
                 end.out_of_step + " (on " + std::to_string(out_of_step_sessions_) +
                     " connections in a row)",
                 end.greeted);
  } else if (end.status == Status::ok && refused) {
    // 5xx banner or greeting: this server will not talk to us; retrying changes nothing.
    fail_pending(Outcome::blocked, end.stage, Status::ok, end.refusal,
                 "the server refused the session at " + std::string(to_string(end.stage)),
                 end.greeted);
  } else if (is_final_connect_failure(end.status) && !end.greeted) {
    fail_pending(Outcome::error, Stage::connect, end.status, std::nullopt, end.error, false);
  } else if (fruitless_sessions_ >= options_.max_attempts) {
    fail_pending(Outcome::error, end.stage,
                 end.status == Status::ok ? Status::closed_by_server : end.status, end.refusal,
                 std::to_string(fruitless_sessions_) +
                     " connections in a row ended before any test finished: " + end.error,
                 end.greeted);
  }
  schedule();
}

void EndpointAudit::record_tls(const SessionEnd& end) {
  result_.starttls_offered = result_.starttls_offered || end.starttls_offered;
  result_.bytes_after_starttls += end.bytes_after_starttls;
  if (end.tls) ++result_.tls_handshakes;
  if (end.tls_resumed) ++result_.tls_resumed;
  if (end.ticket) tls_ticket_ = end.ticket;
  if (end.tls && !result_.tls) result_.tls = end.tls;
  if (!end.tls_error.empty()) result_.tls_error = end.tls_error;
  // A STARTTLS that breaks the connection is not tried again: the plan runs in plaintext.
  const bool broken = end.status == Status::tls_handshake_failed ||
                      end.status == Status::tls_timeout || end.status == Status::tls_protocol_error;
  if (broken && !result_.implicit_tls) {
    starttls_failed_ = true;
    drop_plain_reruns();
  }
}

void EndpointAudit::maybe_finish() {
  if (done_ || active_sessions_ > 0 || waiting_for_slot_ > 0) return;
  if (tls_probes_ && !tls_probes_->finished()) return;
  if (cancelled_) {
    // Unfinished: the owner leaves it out of the results.
    done_ = true;
    on_done_(*this);
    return;
  }
  if (std::any_of(tests_.begin(), tests_.end(),
                  [](const TestSlot& slot) { return slot.state != TestState::done; })) {
    return;
  }
  if (start_tls_probes()) return;
  judge();
  close_retry_timer();  // while the loop still runs, so the loop can close cleanly
  done_ = true;
  on_done_(*this);  // may destroy nothing: the owner frees finished audits later
}

// After the plan and before the verdict: the probes' connections inform, never judge.
bool EndpointAudit::start_tls_probes() {
  const bool wanted = options_.tls_probe_versions || options_.tls_probe_injection;
  if (!wanted || tls_probes_ || !result_.tls) return false;  // only where TLS was reached
  tls_probes_ = std::make_unique<TlsProbeRun>(loop_, address_, options_, result_.implicit_tls,
                                              result_.endpoint.host_name, slots_, [this] {
                                                result_.tls_probes = tls_probes_->take_results();
                                                maybe_finish();
                                              });
  tls_probes_->start();
  return true;
}

void EndpointAudit::judge() {
  result_.finished_ms = static_cast<std::int64_t>(uv_now(loop_) - options_.session.clock_origin_ms);
  result_.pacing = pacing_.facts();
  // Each path is judged on its own: a relay open on either makes the endpoint open.
  std::vector<JudgedTest> tls_path;
  std::vector<JudgedTest> plain_path;
  for (auto& slot : tests_) {
    if (slot.dropped) continue;
    result_.tests.push_back(std::move(slot.result));
    // Probes inform; only relay attempts and controls decide the endpoint verdict.
    const TestResult& test = result_.tests.back();
    if (test.kind == ScriptKind::probe) continue;
    (test.over_tls ? tls_path : plain_path)
        .push_back(JudgedTest{test.expect, test.verdict, slot.greeted});
  }
  // Plaintext that refuses every MAIL until STARTTLS relays nothing: the TLS path decides.
  if (tls_path_decides(result_.tests)) {
    result_.verdict = judge_endpoint(tls_path);
  } else if (tls_path.empty() || plain_path.empty()) {
    result_.verdict = judge_endpoint(tls_path.empty() ? plain_path : tls_path);
  } else {
    result_.verdict = combine_paths(judge_endpoint(tls_path), judge_endpoint(plain_path));
  }
  const bool plaintext_refused =
      std::any_of(result_.tests.begin(), result_.tests.end(),
                  [](const TestResult& test) { return !test.over_tls && refused_until_tls(test); });
  result_.starttls_policy = result_.implicit_tls                                        ? "implicit"
                            : !result_.greeting || result_.greeting->ehlo.lines.empty() ? ""
                            : !result_.starttls_offered                                 ? "absent"
                            : plaintext_refused                                         ? "required"
                                                                                        : "offered";
  result_.findings = probe_findings(result_.tests);
  for (auto& finding : domain_refusal_findings(result_.tests, result_.endpoint.host_name)) {
    result_.findings.push_back(std::move(finding));
  }
  if (result_.verdict == EndpointVerdict::open_relay) {
    result_.evidence = weigh_evidence(result_.tests);
    // No unproven open relay: weak evidence alone could be a catch-all reading "a%b@own" as a
    // mailbox name. A direct acceptance stays open-relay at once.
    if (result_.evidence->strength == "weak") {
      result_.verdict = EndpointVerdict::inconclusive;
      result_.findings.push_back(
          Finding{kFindingRelayUnconfirmed, "high",
                  result_.evidence->detail +
                      ". Not called an open relay without proof of delivery: send one message "
                      "through it in that form to a mailbox you control and see whether it "
                      "arrives",
                  ""});
    }
  }
  result_.verdict_reason = explain_verdict(result_);
  for (auto& finding : tls_findings(result_)) result_.findings.push_back(std::move(finding));
}

}  // namespace relayaudit
