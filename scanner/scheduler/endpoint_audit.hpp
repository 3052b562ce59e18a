// Audits one endpoint: spreads the test plan over connections, retries, and judges the result.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include <uv.h>

#include "relaytests/relay_script.hpp"
#include "results/audit_result.hpp"
#include "scheduler/audit_options.hpp"
#include "scheduler/connection_slots.hpp"
#include "scheduler/endpoint_pacing.hpp"
#include "scheduler/tls_probes.hpp"
#include "smtp/session.hpp"

namespace relayaudit {

class EndpointAudit final : public SessionObserver {
 public:
  using DoneCallback = std::function<void(EndpointAudit&)>;

  EndpointAudit(uv_loop_t* loop, Endpoint endpoint, const std::vector<RelayScript>& plan,
                const AuditOptions& options, ConnectionSlots& slots, DoneCallback on_done);
  ~EndpointAudit() override;
  EndpointAudit(const EndpointAudit&) = delete;
  EndpointAudit& operator=(const EndpointAudit&) = delete;

  void start();
  // Stops at once: open sessions are cancelled, nothing new starts; on_done still runs.
  void cancel();
  bool done() const { return done_; }
  // Milliseconds left of a greylisting wait when that is all this audit is doing now, else 0.
  std::uint64_t greylist_wait_left_ms() const;
  bool cancelled() const { return cancelled_; }
  EndpointResult take_result() { return std::move(result_); }

  std::vector<SessionTest> on_greeted(Session& session, const Greeting& greeting) override;
  void on_test_done(Session& session, SessionTestResult&& result) override;
  PaceAction on_reply_timing(Session& session, const ReplyTiming& timing) override;
  void on_banner_teaser(Session& session) override;
  void on_session_end(Session& session, SessionEnd&& end) override;

 private:
  // The mail domain its targets-file line named, else --mail-domain; "" when neither did.
  const std::string& declared_mail_domain() const;

  enum class TestState { pending, running, done };
  struct TestSlot {
    const RelayScript* script = nullptr;
    std::optional<std::string> sender_override;  // a fallback sender after MAIL FROM was refused
    // The control's next postmaster form after one was refused, and those refused so far.
    std::optional<std::string> recipient_override;
    struct RefusedControl {
      std::string recipient;
      std::string reply;  // its first line
    };
    std::vector<RefusedControl> refused_controls;
    TestState state = TestState::pending;
    std::uint64_t not_before = 0;  // uv_now() before which a retry may not start
    int deferrals = 0;
    bool greeted = false;     // the session that settled it got past the banner
    bool plain_path = false;  // a plaintext re-run of a test the plan also runs inside TLS
    bool dropped = false;     // a re-run made pointless once TLS failed: not in the results
    TestResult result;
  };

  void add_test(const RelayScript& script, std::string mail_domain);
  void add_plain_reruns();
  void drop_plain_reruns();
  void schedule();
  // Connections the ready tests of one path need within the error budget; with a tarpit, or a greet
  // wait when `spread_greet_wait`, as many as the cap allows. Not for connections already waiting
  // for their greeting: they take the rest sooner than a new one, which pays the whole greet wait
  // again.
  int connections_needed(bool plain, bool spread_greet_wait) const;
  // Sessions of one path that are opening and will ask for a batch soon.
  int awaiting_batch(bool plain) const;
  std::vector<SessionTest> take_batch(const Greeting& greeting, bool plain);
  void open_session(bool plain);
  void wait_for_greylisting(TestSlot& slot);
  // The control's postmaster forms in order (RFC 5321 4.5.1): at the mail domain (--mail-domain),
  // bare <postmaster>, at the address literal, at the host name; the first not yet tried.
  std::optional<std::string> next_control_recipient(const TestSlot& slot) const;
  // After one greylisting retry every test, the control included, is deferred again: no second
  // wait, the endpoint is inconclusive now.
  void settle_if_everything_deferred();
  bool ready(const TestSlot& slot) const;
  std::optional<std::uint64_t> next_retry_time() const;
  std::optional<std::string> next_fallback_sender(const TestSlot& slot) const;
  void settle(TestSlot& slot, SessionTestResult&& result, bool greeted);
  void fail_pending(Outcome outcome, Stage stage, Status status, const std::optional<Reply>& reply,
                    const std::string& detail, bool greeted);
  void expand(TestSlot& slot, const Greeting& greeting);
  void maybe_finish();
  bool start_tls_probes();  // true when probes were started (maybe_finish runs again at their end)
  void record_tls(const SessionEnd& end);
  void close_retry_timer();
  void judge();

  uv_loop_t* loop_;
  const AuditOptions& options_;
  ConnectionSlots& slots_;
  DoneCallback on_done_;
  sockaddr_storage address_{};
  std::vector<TestSlot> tests_;
  EndpointResult result_;
  uv_timer_t* retry_timer_ = nullptr;  // owned by libuv until its close callback frees it
  int active_sessions_ = 0;
  int waiting_for_slot_ = 0;
  int waiting_by_path_[2] = {0, 0};                 // waiting for a slot, by path (plain = 1)
  std::vector<const Session*> ungreeted_sessions_;  // open, batch not taken yet
  EndpointPacing pacing_;
  std::uint64_t greylist_until_ = 0;      // uv_now() at which the deferred tests retry together
  std::uint64_t paid_greylist_wait_ = 0;  // the end of the last wait a retry went out after
  bool answered_otherwise_ = false;       // some test got an answer that was not a 4xx deferral
  int sessions_opened_ = 0;
  int fruitless_sessions_ = 0;    // consecutive sessions that settled no test
  int out_of_step_sessions_ = 0;  // consecutive sessions whose reply stream went out of step
  bool starttls_failed_ = false;  // STARTTLS was refused or broke: later connections stay plain
  bool plain_reruns_added_ = false;
  TlsTicket tls_ticket_;  // the newest resumable session: reconnects skip the full handshake
  bool tls_detection_done_ = false;  // the first connection showed whether the port is silent
  // A connection got through banner, EHLO and TLS: only then do others join it, so a refusing,
  // silent or TLS-breaking server is met one connection at a time.
  bool greeted_once_ = false;
  bool teaser_seen_ = false;    // a "220-" teaser before a greet wait: the others wait alongside
  bool detecting_tls_ = false;  // the port was silent: one connection tries implicit TLS
  bool done_ = false;
  bool cancelled_ = false;
  std::vector<Session*> sessions_;           // open sessions, for cancel()
  std::unique_ptr<TlsProbeRun> tls_probes_;  // --tls-probe, once the plan is done
  std::string random_token_;
  TranscriptBudget transcript_budget_;
};

}  // namespace relayaudit
