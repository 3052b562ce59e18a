// SMTP session state machine: banner wait, EHLO/HELO, MAIL/RCPT/RSET per test, QUIT.
#include "smtp/session.hpp"

#include <algorithm>
#include <cctype>
#include <cstring>

#include "smtp/greeting.hpp"
#include "smtp/proxy_header.hpp"
#include "smtp/xclient.hpp"

namespace relayaudit {
namespace {

Session* owner(uv_handle_t* handle) {
  return static_cast<Session*>(handle->data);
}

}  // namespace

Session* Session::start(uv_loop_t* loop, const sockaddr_storage& address, std::string endpoint_key,
                        const SessionOptions& options, SessionObserver& observer, int number,
                        TranscriptBudget& budget, SessionTls tls) {
  auto* session =
      new Session(loop, std::move(endpoint_key), options, observer, number, budget, std::move(tls));
  session->connect(address);
  return session;
}

Session::Session(uv_loop_t* loop, std::string endpoint_key, const SessionOptions& options,
                 SessionObserver& observer, int number, TranscriptBudget& budget, SessionTls tls)
    : loop_(loop),
      endpoint_key_(std::move(endpoint_key)),
      options_(options),
      observer_(observer),
      number_(number),
      budget_(budget),
      tls_(std::move(tls)),
      transport_(loop, *this),
      parser_(options.limits) {
  uv_timer_init(loop_, &timer_);
  timer_.data = this;
  open_handles_ = 2;  // the transport's socket and the timer
}

void Session::connect(const sockaddr_storage& address) {
  started_at_ = uv_now(loop_);
  destination_ = address;
  record(Direction::note, "connecting to " + endpoint_key_, -1);
  const int rc = transport_.connect(address);
  if (rc != 0) {
    finish(status_from_uv(rc, true), Stage::connect, uv_strerror(rc));
    return;
  }
  arm_timer(options_.timeouts.connect);
}

void Session::cancel() {
  const Stage stage = awaiting_.empty() ? Stage::connect : stage_of(awaiting_.front().command);
  finish(Status::cancelled, stage, "scan interrupted");
}

void Session::arm_timer(Millis timeout) {
  uv_timer_start(
      &timer_, [](uv_timer_t* timer) { static_cast<Session*>(timer->data)->on_timeout(); },
      static_cast<std::uint64_t>(timeout.count()), 0);
}

void Session::on_timeout() {
  if (state_ == State::closing) return;
  if (state_ == State::connecting) {
    // Closing the handle cancels the connect; its callback then sees UV_ECANCELED.
    timed_out_ = true;
    finish(Status::connection_timeout, Stage::connect, "no TCP handshake within the timeout");
    return;
  }
  if (state_ == State::tls_handshake) {
    end_.tls_error = "no complete TLS handshake within the timeout";  // a TLS fact, like a failure
    finish(Status::tls_timeout, Stage::tls, end_.tls_error);
    return;
  }
  if (awaiting_first_byte_) {
    end_.silent = true;
    finish(Status::io_timeout, Stage::banner,
           "not one byte within " + format_duration(options_.timeouts.silence) +
               " of connecting: the port may expect TLS from the first byte");
    return;
  }
  const Stage stage = awaiting_.empty() ? Stage::quit : stage_of(awaiting_.front().command);
  finish(Status::io_timeout, stage, "no complete reply within the timeout");
}

void Session::on_transport_connected(int status) {
  if (state_ == State::closing) return;
  if (status != 0) {
    finish(status_from_uv(status, true), Stage::connect, uv_strerror(status));
    return;
  }
  record(Direction::note, "connected", -1);
  connected_at_ = uv_now(loop_);
  last_reply_at_ = connected_at_;
  end_.connect_ms = static_cast<std::int64_t>(connected_at_ - started_at_);
  send_proxy_header();
  if (state_ == State::closing) return;
  if (tls_.implicit && options_.tls_context != nullptr) {
    start_handshake();  // implicit TLS (RFC 8314): the banner comes inside TLS
    return;
  }
  state_ = State::banner;
  // Nothing is sent before the final 220 line: postscreen drops clients that talk early.
  awaiting_.push_back(Pending{Command::banner, "", -1, 0});
  awaiting_first_byte_ = tls_.detect_tls && options_.tls_context != nullptr &&
                         options_.timeouts.silence < options_.timeouts.banner;
  arm_timer(awaiting_first_byte_ ? options_.timeouts.silence : options_.timeouts.banner);
}

void Session::on_transport_end(int status) {
  if (state_ == State::closing) return;
  if (state_ == State::tls_handshake) {
    end_.tls_error = "the server closed the connection during the TLS handshake";
    finish(Status::tls_handshake_failed, Stage::tls, end_.tls_error);
    return;
  }
  const Stage stage = awaiting_.empty() ? Stage::quit : stage_of(awaiting_.front().command);
  if (proxy_unconfirmed_ && last_answered_ == Command::banner && state_ == State::greeting) {
    vantage_failed(
        "the server closed the connection right after its banner: it did not take "
        "the PROXY header",
        Stage::ehlo, nullptr);
    return;
  }
  if (parser_.mid_reply()) {
    for (const auto& line : parser_.pending_lines()) record(Direction::server, line, -1);
    if (!parser_.partial_line().empty()) record(Direction::server, parser_.partial_line(), -1);
    finish(Status::protocol_error, stage, "connection closed in the middle of a reply");
  } else if (state_ == State::quitting &&
             (awaiting_.empty() || awaiting_.front().command == Command::quit)) {
    // Closed instead of answering QUIT; with QUIT pipelined, only once the tests were answered.
    finish(Status::ok, Stage::quit, "");
  } else {
    finish(status_from_uv(status, false), stage,
           status == UV_EOF ? "server closed the connection" : uv_strerror(status));
  }
}

void Session::on_transport_bytes(std::string_view bytes) {
  if (state_ == State::closing) return;
  if (awaiting_first_byte_ && !bytes.empty()) {
    awaiting_first_byte_ = false;  // a plaintext talker after all: the full banner wait applies
    arm_timer(options_.timeouts.banner);
  }
  std::vector<Reply> replies;
  const bool ok = parser_.feed(bytes, replies);
  if (state_ == State::banner && replies.empty() && !parser_.pending_lines().empty() &&
      !teaser_reported_) {
    teaser_reported_ = true;  // "220-" and then a wait: postscreen's greet test
    observer_.on_banner_teaser(*this);
    if (state_ == State::closing) return;
  }
  // Every reply of this read arrived before anything written in answer to it: nothing is sent
  // until all of them are checked, so a reply with no command outstanding is always seen.
  read_.reset();
  for (auto& reply : replies) {
    if (state_ == State::closing) return;
    last_in_read_ = &reply == &replies.back();
    if (awaiting_.empty() && ending_ == Ending::start_tls) {
      // CVE-2011-0411 class: plaintext after the 220 must never pass for a reply inside TLS.
      std::size_t bytes = 0;
      for (const auto& line : reply.lines) bytes += line.size() + 2;
      record_reply(reply, -1);
      discard_after_starttls(bytes);
      continue;
    }
    if (awaiting_.empty()) {
      record_reply(reply, -1);
      if (proxy_unconfirmed_ && last_answered_ == Command::banner) {
        vantage_failed("a reply (" + (reply.lines.empty() ? std::string() : reply.lines.front()) +
                           ") followed the banner before any command: the server answered the "
                           "PROXY header as a command, so it does not expect one",
                       Stage::ehlo, &reply);
        return;
      }
      lose_step(ending_ == Ending::quit_answered
                    ? "a reply arrived after the reply to QUIT"
                    : "a reply arrived while no command was outstanding",
                stage_of(last_answered_));
      return;
    }
    on_reply(std::move(reply));
  }
  if (state_ == State::closing) return;
  if (!ok) {
    for (const auto& line : parser_.pending_lines()) record(Direction::server, line, -1);
    const Stage stage = awaiting_.empty() ? Stage::quit : stage_of(awaiting_.front().command);
    finish(Status::protocol_error, stage, parser_.error_message());
    return;
  }
  if (awaiting_.empty() && ending_ == Ending::start_tls && parser_.mid_reply()) {
    discard_after_starttls(parser_.partial_line().size());
  } else if (awaiting_.empty() && parser_.mid_reply()) {
    if (!parser_.partial_line().empty()) record(Direction::server, parser_.partial_line(), -1);
    lose_step("bytes arrived while no command was outstanding", stage_of(last_answered_));
    return;
  }
  end_after_read();
}

void Session::end_after_read() {
  switch (ending_) {
    case Ending::quit_answered:
      in_step_at_end_ = true;
      finish(Status::ok, Stage::quit, "");
      return;
    case Ending::hung_up_after_data:
      // Hang up before any content: the server discards the transaction, nothing is delivered.
      in_step_at_end_ = true;
      finish(Status::ok, Stage::data, "hung up after 354 to DATA (--confirm-data)");
      return;
    case Ending::start_tls:
      ending_ = Ending::none;
      start_handshake();
      return;
    case Ending::none:
      pump();
      return;
  }
}

void Session::lose_step(const std::string& why, Stage stage) {
  end_.out_of_step = "reply stream out of sync: " + why;
  finish(Status::protocol_error, stage, end_.out_of_step);
}

void Session::on_reply(Reply&& reply) {
  const Pending sent = std::move(awaiting_.front());
  awaiting_.pop_front();
  last_answered_ = sent.command;
  record_reply(reply, sent.test);
  if (!awaiting_.empty())
    arm_timer(options_.timeouts.reply);
  else
    uv_timer_stop(&timer_);

  if (proxy_unconfirmed_ && sent.command != Command::banner && reply.code != 421) {
    // The server answers the header line before our first command if it read it as one; a 421
    // is a server closing for its own reasons, retried like any other.
    if (reply.code / 100 != 2 || reply_misfit(sent.command, reply)) {
      vantage_failed("the first reply after the banner (to " + sent.text + ") was " +
                         std::to_string(reply.code) +
                         ": most likely the answer to the PROXY header, which the server read "
                         "as a command",
                     stage_of(sent.command), &reply);
      return;
    }
    proxy_unconfirmed_ = false;
  }
  if (auto misfit = reply_misfit(sent.command, reply)) {
    lose_step(*misfit + " (after " + (sent.text.empty() ? "connecting" : sent.text) + ")",
              stage_of(sent.command));
    return;
  }
  if (!pace(sent, reply)) return;
  if (reply.code == 421 && sent.command != Command::quit) {
    // 421: the server is closing the channel (RFC 5321 §3.8); the in-flight tests run again.
    end_.refusal = reply;
    finish(Status::closed_by_server, stage_of(sent.command), "server sent 421 and is closing");
    return;
  }
  if (sent.test >= 0) {
    handle_test_reply(sent, reply);
    return;
  }
  switch (sent.command) {
    case Command::banner:
      handle_banner(reply);
      break;
    case Command::ehlo:
    case Command::helo:
      handle_greeting(sent.command, reply);
      break;
    case Command::starttls:
      if (reply.code == 220) {
        ending_ = Ending::start_tls;  // once every byte of this read is accounted for
        return;
      }
      // 454 and the like: the plan runs in plaintext, and the refusal is a TLS fact.
      end_.tls_error = "STARTTLS refused: " + (reply.lines.empty() ? "" : reply.lines.front());
      after_greeting();
      return;
    case Command::xclient:
      handle_xclient(reply);
      return;
    case Command::quit:
      ending_ = Ending::quit_answered;  // in step only if nothing follows it in this read
      return;
    default:
      break;
  }
}

bool Session::pace(const Pending& sent, const Reply& reply) {
  const std::uint64_t now = uv_now(loop_);
  if (!read_) {
    read_.emplace();
    read_->command = sent.command;
    read_->code = reply.code;
    read_->errors_before = end_.errors;
    read_->syntax_errors_before = end_.syntax_errors;
    // A pipelined reply waits on the one before it: the server's time is from the later of both.
    read_->wait_ms = static_cast<std::int64_t>(now - std::max(sent.sent_at, last_reply_at_));
    read_->slowest_before_ms = slowest_reply_ms_;
  }
  ReplyTiming& timing = *read_;
  timing.errors_before_last = end_.errors;
  last_reply_at_ = now;
  if (sent.command == Command::banner) {
    end_.banner_ms = static_cast<std::int64_t>(now - connected_at_);
    round_trip_ms_ = std::max<std::int64_t>(0, end_.connect_ms);
    return true;
  }
  if ((sent.command == Command::ehlo || sent.command == Command::helo) && !round_trip_measured_) {
    // The first EHLO answers at once on any MTA: it measures the path, not the server's pacing.
    round_trip_measured_ = true;
    round_trip_ms_ = std::max(round_trip_ms_, timing.wait_ms);
  }
  timing.round_trip_ms = round_trip_ms_;
  if (reply.code >= 400 && reply.code != 421) {
    ++end_.errors;
    const int code = reply.code;
    if (code == 500 || code == 501 || code == 503 || code == 504) ++end_.syntax_errors;
  }
  if (!last_in_read_) return true;  // pacing looks at whole reads
  slowest_reply_ms_ = std::max(slowest_reply_ms_, timing.wait_ms);
  if (observer_.on_reply_timing(*this, timing) == PaceAction::carry_on) return true;
  end_.hung_up = true;
  finish(Status::ok, stage_of(sent.command), "hung up: the server began to slow its replies");
  return false;
}

void Session::start_handshake() {
  state_ = State::tls_handshake;
  parser_ = ReplyParser(options_.limits);  // nothing read in plaintext carries over
  record(Direction::note, tls_.implicit ? "TLS handshake (implicit TLS)" : "TLS handshake", -1);
  arm_timer(options_.timeouts.tls);
  transport_.start_tls(*options_.tls_context, tls_.server_name, tls_.resume);
}

void Session::on_tls_established() {
  if (state_ == State::closing) return;
  end_.tls = read_tls_facts(*transport_.tls(), tls_.server_name);
  end_.tls_resumed = transport_.tls()->resumed();
  record(Direction::note,
         "TLS established: " + end_.tls->protocol + " " + end_.tls->cipher +
             (end_.tls_resumed ? " (session resumed)" : ""),
         -1);
  if (tls_.implicit) {
    state_ = State::banner;
    awaiting_.push_back(Pending{Command::banner, "", -1, 0});
    arm_timer(options_.timeouts.banner);
    return;
  }
  // RFC 3207 §4.2: forget what the plaintext EHLO said and greet again inside TLS.
  state_ = State::greeting;
  outbox_.push_back(Pending{Command::ehlo, "EHLO " + current_ehlo_, -1, 0});
  pump();
}

void Session::on_tls_failed(const std::string& reason, bool in_handshake) {
  if (state_ == State::closing) return;
  end_.tls_error = reason;
  finish(in_handshake ? Status::tls_handshake_failed : Status::tls_protocol_error, Stage::tls,
         reason);
}

void Session::discard_after_starttls(std::size_t bytes) {
  end_.bytes_after_starttls += bytes;
  record(Direction::note,
         "discarded " + std::to_string(bytes) +
             " plaintext bytes sent after the 220 to STARTTLS (never read as replies inside TLS)",
         -1);
}

void Session::handle_banner(const Reply& reply) {
  // Kept even when it refuses us: a 554 banner is the evidence of an unreachable verdict.
  end_.greeting = Greeting{};
  end_.greeting->banner = reply;
  if (!reply.positive()) {
    end_.refusal = reply;
    finish(Status::ok, Stage::banner, "banner refused the session");
    return;
  }
  end_.greeted = true;
  state_ = State::greeting;
  current_ehlo_ = options_.ehlo_name;
  outbox_.push_back(Pending{Command::ehlo, "EHLO " + current_ehlo_, -1, 0});
}

void Session::handle_greeting(Command command, const Reply& reply) {
  if (!reply.positive()) {
    if (command == Command::ehlo && reply.permanent() && !tried_helo_) {
      // HELO fallback: servers like OS/400 smtpd refuse EHLO and still relay.
      tried_helo_ = true;
      outbox_.push_back(Pending{Command::helo, "HELO " + current_ehlo_, -1, 0});
      return;
    }
    end_.refusal = reply;
    finish(Status::ok, command == Command::ehlo ? Stage::ehlo : Stage::helo, "greeting refused");
    return;
  }
  apply_greeting_reply(*end_.greeting, reply, command == Command::helo);
  end_.greeting->tls = transport_.tls_established();
  if (!transport_.tls_on()) end_.starttls_offered = end_.greeting->starttls;
  // After XCLIENT in plaintext STARTTLS was refused or absent before: it is not asked again.
  if (!transport_.tls_on() && tls_.starttls && options_.tls_context != nullptr &&
      end_.greeting->starttls && !xclient_done_) {
    outbox_.push_back(Pending{Command::starttls, "STARTTLS", -1, 0});
    return;
  }
  after_greeting();
}

void Session::after_greeting() {
  if (options_.vantage.mode == VantageMode::xclient && !xclient_done_) {
    send_xclient();
    return;
  }
  run_tests();
}

// Inside TLS when TLS is used: Postfix takes XCLIENT after STARTTLS and keeps the TLS session,
// and its 220 asks for EHLO again, which is sent inside the same TLS session.
void Session::send_xclient() {
  const auto attributes = advertised_xclient(*end_.greeting);
  if (!attributes) {
    vantage_failed("the server does not offer XCLIENT in its EHLO reply", Stage::ehlo, nullptr);
    return;
  }
  std::string problem;
  const auto command = xclient_command(options_.vantage, *attributes, current_ehlo_, problem);
  if (!command) {
    vantage_failed(problem, Stage::ehlo, nullptr);
    return;
  }
  outbox_.push_back(Pending{Command::xclient, *command, -1, 0});
}

void Session::handle_xclient(const Reply& reply) {
  if (reply.code != 220) {
    // Not applied: the session still has our own, possibly trusted, address.
    vantage_failed("XCLIENT refused: " +
                       (reply.lines.empty() ? std::to_string(reply.code) : reply.lines.front()),
                   Stage::ehlo, &reply);
    return;
  }
  xclient_done_ = true;
  record(
      Direction::note,
      "XCLIENT accepted: the server now judges this session as client " + options_.vantage.client,
      -1);
  outbox_.push_back(Pending{Command::ehlo, "EHLO " + current_ehlo_, -1, 0});
}

void Session::send_proxy_header() {
  const VantageMode mode = options_.vantage.mode;
  if (mode != VantageMode::proxy_v1 && mode != VantageMode::proxy_v2) return;
  // Some source port: the load balancer's client port is not ours to know.
  const auto source_port = static_cast<std::uint16_t>(40000 + number_ % 20000);
  const ProxyHeader header = proxy_header(options_.vantage, source_port, destination_);
  record(Direction::note, header.note, -1);
  proxy_unconfirmed_ = true;
  // One write, before TLS and before the banner: the server reads nothing else first.
  if (const int rc = transport_.write(header.bytes); rc != 0) {
    finish(status_from_uv(rc, false), Stage::connect, uv_strerror(rc));
  }
}

void Session::vantage_failed(const std::string& why, Stage stage, const Reply* reply) {
  end_.vantage_failure = why;
  if (reply != nullptr) end_.refusal = *reply;
  record(Direction::note, "vantage not simulated: " + why, -1);
  finish(Status::ok, stage, "vantage not simulated: " + why);
}

void Session::run_tests() {
  pipelining_ = options_.use_pipelining && end_.greeting->pipelining;
  state_ = State::running;
  begin_tests(observer_.on_greeted(*this, *end_.greeting));
}

void Session::begin_tests(std::vector<SessionTest> tests) {
  tests_.reserve(tests.size());
  for (auto& test : tests) {
    // DATA must follow its own RCPT before the RSET: no batching when it may be sent.
    if (test.confirm_data) pipelining_ = false;
    TestRun run;
    run.result.index = test.index;
    run.result.over_tls = transport_.tls_established();
    run.test = std::move(test);
    tests_.push_back(std::move(run));
  }
  for (std::size_t slot = 0; slot < tests_.size(); ++slot) queue_test(slot);
  if (tests_.empty()) quit();
}

void Session::queue_test(std::size_t slot) {
  const int id = static_cast<int>(slot);
  const SessionTest& test = tests_[slot].test;
  if (test.ehlo != current_ehlo_) {
    current_ehlo_ = test.ehlo;
    // A server that refused EHLO is greeted again the way it accepted: with HELO.
    const bool helo = end_.greeting->used_helo;
    outbox_.push_back(Pending{helo ? Command::helo : Command::ehlo,
                              (helo ? "HELO " : "EHLO ") + test.ehlo, id, 0});
  }
  outbox_.push_back(Pending{Command::mail, "MAIL FROM:<" + test.mail_from + ">", id, 0});
  for (std::size_t i = 0; i < test.rcpt_to.size(); ++i) {
    outbox_.push_back(Pending{Command::rcpt, "RCPT TO:<" + test.rcpt_to[i] + ">", id, i});
  }
  outbox_.push_back(Pending{Command::rset, "RSET", id, 0});
}

void Session::pump() {
  if (state_ == State::closing || !awaiting_.empty()) return;
  if (outbox_.empty()) {
    if (state_ != State::running) return;
    quit();
  }
  std::vector<Pending> group;
  if (!pipelining_) {
    group.push_back(std::move(outbox_.front()));
    outbox_.pop_front();
  } else {
    // RFC 2920: EHLO and QUIT may only end a group; MAIL, RCPT and RSET may be batched.
    while (!outbox_.empty()) {
      const bool ends_group = outbox_.front().command == Command::ehlo ||
                              outbox_.front().command == Command::helo ||
                              outbox_.front().command == Command::quit;
      if (ends_group && !group.empty()) break;
      group.push_back(std::move(outbox_.front()));
      outbox_.pop_front();
      if (ends_group) break;
    }
    // The last tests' group ends with QUIT (RFC 2920 §3.1): nothing follows a test's RSET, so
    // waiting for it first would only cost a round trip.
    if (outbox_.empty() && state_ == State::running && group.back().command == Command::rset) {
      quit();
      group.push_back(std::move(outbox_.front()));
      outbox_.pop_front();
    }
  }
  send_now(std::move(group));
}

void Session::send_now(std::vector<Pending> group) {
  std::string data;
  for (auto& pending : group) {
    if (pending.test >= 0) tests_[static_cast<std::size_t>(pending.test)].started = true;
    record(Direction::client, pending.text, pending.test);
    pending.sent_at = uv_now(loop_);
    data += pending.text;
    data += "\r\n";
    awaiting_.push_back(std::move(pending));
  }
  ++end_.round_trips;
  const int rc = transport_.write(data);
  if (rc != 0) {
    finish(status_from_uv(rc, false), stage_of(awaiting_.back().command), uv_strerror(rc));
    return;
  }
  arm_timer(options_.timeouts.reply);
}

void Session::handle_test_reply(const Pending& sent, const Reply& reply) {
  const auto slot = static_cast<std::size_t>(sent.test);
  TestRun& run = tests_[slot];
  switch (sent.command) {
    case Command::ehlo:
    case Command::helo:
      if (!reply.positive()) decide(slot, Outcome::blocked, stage_of(sent.command), &reply);
      break;
    case Command::mail:
      if (!reply.positive()) decide(slot, Outcome::blocked, Stage::mail, &reply);
      break;
    case Command::rcpt: {
      if (run.decided || sent.rcpt + 1 != run.test.rcpt_to.size()) break;
      const Outcome outcome = reply.positive()    ? Outcome::accepted
                              : reply.transient() ? Outcome::deferred
                                                  : Outcome::rejected;
      if (outcome == Outcome::accepted && run.test.confirm_data) {
        // --confirm-data: DATA goes before this test's RSET; the test is decided on its reply.
        run.result.reply = reply;
        outbox_.push_front(Pending{Command::data, "DATA", sent.test, 0});
        break;
      }
      decide(slot, outcome, Stage::rcpt, &reply);
      break;
    }
    case Command::data: {
      run.result.data_reply = reply;
      const Reply rcpt_reply = *run.result.reply;
      decide(slot, Outcome::accepted, Stage::rcpt, &rcpt_reply);
      if (reply.code == 354) ending_ = Ending::hung_up_after_data;
      return;
    }
    default:
      break;  // RSET: its failure does not change a decided test
  }
  if (!pipelining_ && run.decided) {
    // Without pipelining, commands of a decided test that were not sent yet are dropped.
    std::erase_if(outbox_, [&](const Pending& p) {
      return p.test == sent.test && (p.command == Command::rcpt || p.command == Command::mail);
    });
  }
}

void Session::decide(std::size_t slot, Outcome outcome, Stage stage, const Reply* reply) {
  TestRun& run = tests_[slot];
  if (run.decided) return;
  run.decided = true;
  run.result.outcome = outcome;
  run.result.stage = stage;
  run.result.status = Status::ok;
  if (reply != nullptr) run.result.reply = *reply;
}

void Session::quit() {
  state_ = State::quitting;
  outbox_.push_back(Pending{Command::quit, "QUIT", -1, 0});
}

void Session::finish(Status status, Stage stage, std::string error) {
  if (state_ == State::closing) return;
  state_ = State::closing;
  end_.status = status;
  end_.stage = stage;
  end_.error = std::move(error);
  if (status != Status::ok) {
    record(Direction::note, std::string(to_string(status)) + ": " + end_.error, -1);
  }
  report_all(status, stage);
  if (transport_.tls_established()) end_.ticket = transport_.tls()->ticket();
  uv_timer_stop(&timer_);
  transport_.close();
  uv_close(reinterpret_cast<uv_handle_t*>(&timer_),
           [](uv_handle_t* handle) { owner(handle)->on_handle_closed(); });
}

// Results are held until the session ends: a reply stream found out of step later still voids
// every test the connection carried, and only a QUIT answered in step verifies an acceptance.
void Session::report_all(Status status, Stage stage) {
  for (TestRun& run : tests_) {
    // Hung up by our own pacing: what the server had not answered yet runs on another connection.
    if (!run.started || (end_.hung_up && !run.decided)) {
      if (!run.decided) end_.unsent.push_back(run.test.index);
      continue;
    }
    SessionTestResult& result = run.result;
    if (!end_.out_of_step.empty()) {
      // Nothing this connection carried is trusted, decided or not; it is final, not retried.
      result.outcome = Outcome::error;
      result.stage = run.decided ? result.stage : stage;
      result.status = Status::protocol_error;
      result.reply.reset();
      result.data_reply.reset();
      result.detail = end_.out_of_step;
      result.transcript.push_back(
          TranscriptLine{static_cast<std::int64_t>(uv_now(loop_) - options_.clock_origin_ms),
                         Direction::note, end_.out_of_step, number_});
    } else if (!run.decided) {
      result.interrupted = true;
      result.outcome = Outcome::error;
      result.stage = stage;
      result.status = status == Status::ok ? Status::closed_by_server : status;
      if (end_.refusal) result.reply = end_.refusal;
    } else {
      result.unverified = !in_step_at_end_;
    }
    if (!result.interrupted) ++end_.tests_finished;
    // The test keeps only its own lines; its session's greeting is in the endpoint transcript.
    observer_.on_test_done(*this, std::move(result));
  }
}

void Session::on_handle_closed() {
  if (--open_handles_ > 0) return;
  observer_.on_session_end(*this, std::move(end_));
  delete this;
}

void Session::record(Direction direction, const std::string& line, int test_slot) {
  TranscriptLine entry;
  entry.at_ms = static_cast<std::int64_t>(uv_now(loop_) - options_.clock_origin_ms);
  entry.direction = direction;
  entry.session = number_;
  if (options_.on_line) {
    entry.line = line;
    options_.on_line(endpoint_key_, entry);
  }
  TranscriptBudget::Kept kept = budget_.keep(line);
  entry.line = std::move(kept.text);
  if (kept.cut == 0) {
    keep_line(std::move(entry), test_slot);
    return;
  }
  TranscriptLine note = entry;
  keep_line(std::move(entry), test_slot);
  note.direction = Direction::note;
  note.line = budget_.cut_note(kept.cut);
  keep_line(std::move(note), test_slot);
}

void Session::record_reply(const Reply& reply, int test_slot) {
  if (!budget_.exhausted() || reply.lines.size() <= 2) {
    for (const auto& line : reply.lines) record(Direction::server, line, test_slot);
    return;
  }
  // Past the cap a long reply keeps its first and its last (decisive) line.
  std::size_t bytes = 0;
  for (std::size_t i = 1; i + 1 < reply.lines.size(); ++i) bytes += reply.lines[i].size();
  record(Direction::server, reply.lines.front(), test_slot);
  record(Direction::note, budget_.skip_note(reply.lines.size() - 2, bytes), test_slot);
  record(Direction::server, reply.lines.back(), test_slot);
}

void Session::keep_line(TranscriptLine&& entry, int test_slot) {
  entry.sequence = budget_.number_line();
  // A test keeps the lines up to its decision; the endpoint transcript keeps every line.
  if (test_slot >= 0 && !tests_[static_cast<std::size_t>(test_slot)].decided) {
    tests_[static_cast<std::size_t>(test_slot)].result.transcript.push_back(entry);
  }
  end_.transcript.push_back(std::move(entry));
}

Stage Session::stage_of(Command command) const {
  switch (command) {
    case Command::banner:
      return Stage::banner;
    case Command::ehlo:
      return Stage::ehlo;
    case Command::helo:
      return Stage::helo;
    case Command::starttls:
      return Stage::tls;
    case Command::xclient:
      return Stage::ehlo;  // part of the greeting: the session is not ready before it
    case Command::mail:
      return Stage::mail;
    case Command::rcpt:
      return Stage::rcpt;
    case Command::data:
      return Stage::data;
    case Command::rset:
      return Stage::rset;
    case Command::quit:
      return Stage::quit;
  }
  return Stage::quit;
}

}  // namespace relayaudit
