// One SMTP connection on the libuv loop: connect, banner, EHLO/HELO, relay tests, QUIT.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <uv.h>

#include "core/duration.hpp"
#include "core/status.hpp"
#include "core/verdict.hpp"
#include "smtp/greeting.hpp"
#include "smtp/reply_parser.hpp"
#include "smtp/smtp_command.hpp"
#include "smtp/transcript.hpp"
#include "smtp/transcript_budget.hpp"
#include "smtp/transport.hpp"
#include "smtp/vantage.hpp"
#include "tls/tls_facts.hpp"

namespace relayaudit {

struct SessionTimeouts {
  Millis connect{10'000};  // TCP handshake
  Millis tls{10'000};      // TLS handshake, after STARTTLS's 220 or before an implicit-TLS banner
  Millis banner{60'000};   // until the final 220 line (greet_pause and tarpits reach 30 s)
  Millis reply{60'000};    // each later reply, reset only when a whole reply arrives
  // With SessionTls::detect_tls: silence this long after connecting means "try TLS" (port 465
  // behind an unusual number); any byte restores the full banner wait.
  Millis silence{5'000};
};

struct SessionOptions {
  std::string ehlo_name;  // FQDN sent in EHLO/HELO unless a test names its own
  SessionTimeouts timeouts;
  bool use_pipelining = true;  // batch commands when the server advertises PIPELINING
  ReplyLimits limits;
  std::uint64_t clock_origin_ms = 0;        // uv_now() at scan start, for transcript times
  const TlsContext* tls_context = nullptr;  // TLS is never used without one
  Vantage vantage;  // --xclient / --proxy-protocol: the client address the server is to assume
  std::function<void(const std::string& endpoint, const TranscriptLine&)> on_line;  // -v
};

// How one connection uses TLS.
struct SessionTls {
  bool starttls = false;     // upgrade with STARTTLS when the server offers it
  bool implicit = false;     // TLS from the first byte (port 465, smtps://)
  std::string server_name;   // SNI and host-name check; "" for an address target
  bool detect_tls = false;   // end early, reporting `silent`, when no byte arrives in time
  bool plain_rerun = false;  // the owner's mark: a plaintext re-run of tests also run in TLS
  TlsTicket resume;          // a session an earlier connection to this endpoint got
};

// One test as this connection runs it, placeholders already expanded.
struct SessionTest {
  std::size_t index = 0;             // the owner's index
  std::string ehlo;                  // EHLO name for this test
  std::string mail_from;             // inside <>; "" is the null sender
  std::vector<std::string> rcpt_to;  // the last one is decisive
  bool confirm_data = false;         // on acceptance, send DATA and hang up on 354 (opt-in)
};

struct SessionTestResult {
  std::size_t index = 0;
  Outcome outcome = Outcome::error;
  Stage stage = Stage::connect;
  Status status = Status::ok;
  std::optional<Reply> reply;
  bool interrupted = false;  // the connection broke before the decisive reply: run it again
  // Decided, but the connection ended before QUIT showed the reply stream was still in step.
  bool unverified = false;
  std::string detail;               // why, when the outcome alone does not say it
  std::optional<Reply> data_reply;  // --confirm-data only
  bool over_tls = false;            // the connection ran it inside TLS
  Transcript transcript;
};

// The replies of one read as pacing sees them: how long the server took before the first, and how
// many errors came before. A server that sleeps before a reply may flush what it had buffered
// first (Postfix), so a read's delay can follow every reply in it.
struct ReplyTiming {
  SmtpCommand command = SmtpCommand::banner;  // the read's first reply: a delay came before it
  int code = 0;
  int errors_before = 0;         // 4xx/5xx replies earlier on this connection than the first
  int syntax_errors_before = 0;  // of those, 500/501/503/504 (syntax and sequence errors)
  int errors_before_last = 0;    // 4xx/5xx replies earlier than the read's last reply
  std::int64_t wait_ms = 0;      // the first reply's wait: from the later of its command's write
                                 // and the previous reply
  std::int64_t slowest_before_ms = 0;  // the longest wait_ms of the earlier replies (no banner)
  // The network round trip: the longer of the TCP handshake and the first EHLO/HELO reply.
  std::int64_t round_trip_ms = 0;
};

// What the observer wants after a reply.
enum class PaceAction { carry_on, hang_up };

struct SessionEnd {
  Status status = Status::ok;
  Stage stage = Stage::connect;      // the step the session was in when it ended
  std::string error;                 // detail for status != ok
  bool greeted = false;              // a 2xx banner arrived
  std::optional<Greeting> greeting;  // banner once read; EHLO fields once EHLO/HELO succeeded
  std::optional<Reply> refusal;      // the non-2xx reply that ended it (banner 554, 421, ...)
  std::vector<std::size_t> unsent;   // tests handed out but never started
  std::string out_of_step;           // why the reply stream was not trusted, when it was not
  bool starttls_offered = false;     // the plaintext EHLO advertised STARTTLS
  std::optional<TlsFacts> tls;       // once a handshake succeeded
  std::string tls_error;             // STARTTLS refused, or the handshake failed, and why
  // Bytes that followed the 220 to STARTTLS before the handshake: discarded, never a reply.
  std::size_t bytes_after_starttls = 0;
  bool silent = false;       // detect_tls: not one byte arrived within the silence timeout
  bool tls_resumed = false;  // the handshake resumed SessionTls::resume
  TlsTicket ticket;          // the session to resume on the next connection, when resumable
  int tests_finished = 0;
  int round_trips = 0;
  int errors = 0;                // 4xx/5xx replies the server sent on this connection
  int syntax_errors = 0;         // of those, 500/501/503/504
  bool hung_up = false;          // the observer asked to hang up (the server began to slow down)
  std::int64_t connect_ms = -1;  // TCP handshake time, once connected
  std::int64_t banner_ms = -1;   // connected to the final banner line, once read
  // Why the server did not take the vantage (XCLIENT absent or refused, PROXY header answered):
  // this connection saw our own address's view, so none of it may be judged.
  std::string vantage_failure;
  Transcript transcript;
};

class Session;

class SessionObserver {
 public:
  virtual ~SessionObserver() = default;
  // After a successful EHLO/HELO: the tests this connection runs (empty: QUIT at once).
  virtual std::vector<SessionTest> on_greeted(Session& session, const Greeting& greeting) = 0;
  virtual void on_test_done(Session& session, SessionTestResult&& result) = 0;
  // The first lines of a multi-line banner arrived and its final line has not: a greet wait.
  virtual void on_banner_teaser(Session&) {}
  // Every reply after the banner; hang_up ends the connection at once, undecided tests unsent.
  virtual PaceAction on_reply_timing(Session&, const ReplyTiming&) { return PaceAction::carry_on; }
  // Last call; the session deletes itself right after it returns.
  virtual void on_session_end(Session& session, SessionEnd&& end) = 0;
};

class Session final : private TransportEvents {
 public:
  // Starts connecting; every outcome, even an immediate failure, is reported asynchronously.
  // `budget` caps the transcript bytes kept for the endpoint; it must outlive the session.
  static Session* start(uv_loop_t* loop, const sockaddr_storage& address, std::string endpoint_key,
                        const SessionOptions& options, SessionObserver& observer, int number,
                        TranscriptBudget& budget, SessionTls tls = {});

  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;
  int number() const { return number_; }
  const SessionTls& tls() const { return tls_; }
  // The session to offer on the next connection, once the server sent one (TLS 1.3: after the
  // handshake, with its first reply); null before.
  TlsTicket tls_ticket() const {
    return transport_.tls_established() ? transport_.tls()->ticket() : TlsTicket{};
  }
  // Connected to the final banner line, less the TCP handshake; -1 before the banner.
  std::int64_t greet_wait_ms() const {
    return end_.banner_ms < 0 ? -1 : end_.banner_ms - std::max<std::int64_t>(0, end_.connect_ms);
  }
  // Ends the session now (scan interrupted); the observer still gets every callback.
  void cancel();

 private:
  enum class State { connecting, tls_handshake, banner, greeting, running, quitting, closing };
  using Command = SmtpCommand;
  // What ends the session once the replies of the current read are all checked.
  enum class Ending { none, quit_answered, hung_up_after_data, start_tls };
  struct Pending {
    Command command;
    std::string text;  // without CRLF
    int test = -1;     // slot in tests_, -1 for session commands
    std::size_t rcpt = 0;
    std::uint64_t sent_at = 0;  // uv_now() when written
  };
  struct TestRun {
    SessionTest test;
    SessionTestResult result;
    bool started = false;
    bool decided = false;
  };

  Session(uv_loop_t* loop, std::string endpoint_key, const SessionOptions& options,
          SessionObserver& observer, int number, TranscriptBudget& budget, SessionTls tls);
  ~Session() = default;

  void connect(const sockaddr_storage& address);
  void on_transport_connected(int status) override;
  void on_transport_bytes(std::string_view bytes) override;
  void on_transport_end(int status) override;
  void on_tls_established() override;
  void on_tls_failed(const std::string& reason, bool in_handshake) override;
  void start_handshake();
  void discard_after_starttls(std::size_t bytes);
  void run_tests();
  // Greeted (and in TLS when wanted): XCLIENT first under --xclient, else the tests.
  void after_greeting();
  void send_xclient();
  void handle_xclient(const Reply& reply);
  void send_proxy_header();
  // The vantage cannot be simulated on this connection: it ends, nothing judged.
  void vantage_failed(const std::string& why, Stage stage, const Reply* reply);
  void on_transport_closed() override { on_handle_closed(); }
  void on_reply(Reply&& reply);
  // `stage`: the step whose reply showed the stream out of step.
  void lose_step(const std::string& why, Stage stage);
  // Counts the reply's error and asks the observer whether to go on; false: the session ended.
  bool pace(const Pending& sent, const Reply& reply);
  void end_after_read();
  void on_timeout();
  void on_handle_closed();

  void handle_banner(const Reply& reply);
  void handle_greeting(Command command, const Reply& reply);
  void handle_test_reply(const Pending& sent, const Reply& reply);
  void begin_tests(std::vector<SessionTest> tests);
  void queue_test(std::size_t slot);
  void pump();
  void send_now(std::vector<Pending> group);
  void decide(std::size_t slot, Outcome outcome, Stage stage, const Reply* reply);
  void report_all(Status status, Stage stage);
  void quit();
  void finish(Status status, Stage stage, std::string error);
  void arm_timer(Millis timeout);
  void record(Direction direction, const std::string& line, int test_slot);
  void keep_line(TranscriptLine&& entry, int test_slot);
  void record_reply(const Reply& reply, int test_slot);
  Stage stage_of(Command command) const;

  uv_loop_t* loop_;
  std::string endpoint_key_;
  const SessionOptions& options_;
  SessionObserver& observer_;
  int number_;
  TranscriptBudget& budget_;
  SessionTls tls_;

  Transport transport_;
  uv_timer_t timer_{};
  int open_handles_ = 0;
  bool timed_out_ = false;
  bool awaiting_first_byte_ = false;   // detect_tls: the silence timer runs
  std::uint64_t started_at_ = 0;       // uv_now() when connecting began
  std::uint64_t connected_at_ = 0;     // uv_now() when the TCP handshake completed
  std::uint64_t last_reply_at_ = 0;    // uv_now() when the previous reply was complete
  std::int64_t slowest_reply_ms_ = 0;  // the longest server wait so far, banner not counted
  std::int64_t round_trip_ms_ = 0;     // see ReplyTiming::round_trip_ms
  bool round_trip_measured_ = false;
  bool teaser_reported_ = false;
  bool last_in_read_ = false;  // the reply being handled is the last of its read
  std::optional<ReplyTiming>
      read_;  // the read under way, from its first reply  // the first EHLO/HELO reply was timed
  State state_ = State::connecting;
  ReplyParser parser_;

  std::deque<Pending> outbox_;    // queued, not yet written
  std::deque<Pending> awaiting_;  // written, reply not yet read
  std::vector<TestRun> tests_;
  std::string current_ehlo_;
  bool pipelining_ = false;
  bool tried_helo_ = false;
  bool xclient_done_ = false;       // XCLIENT got its 220: the session is the vantage's now
  bool proxy_unconfirmed_ = false;  // PROXY header sent; no reply to our own command yet
  sockaddr_storage destination_{};  // the address connected to, for the PROXY header
  Ending ending_ = Ending::none;
  Command last_answered_ = Command::banner;  // the command whose reply was read last
  bool in_step_at_end_ = false;              // QUIT got 221 (or DATA 354) and nothing followed it
  SessionEnd end_;
};

}  // namespace relayaudit
