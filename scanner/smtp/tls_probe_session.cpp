// The --tls-probe connection's state machine: each step has one timer and one expected reply.
#include "smtp/tls_probe_session.hpp"

#include <vector>

#include "smtp/greeting.hpp"
#include "tls/tls_facts.hpp"

namespace relayaudit {
namespace {

// Read the way the audit's own sessions read it, so a probe never sees another capability list.
bool offers_starttls(const Reply& ehlo) {
  Greeting greeting;
  apply_greeting_reply(greeting, ehlo, false);
  return greeting.starttls;
}

std::string first_line(const Reply& reply) {
  return reply.lines.empty() ? std::to_string(reply.code) : reply.lines.front();
}

}  // namespace

TlsProbeSession* TlsProbeSession::start(uv_loop_t* loop, const sockaddr_storage& address,
                                        TlsProbeRequest request, Done done) {
  auto* probe = new TlsProbeSession(loop, std::move(request), std::move(done));
  if (probe->request_.context == nullptr) {
    probe->finish(Status::tls_handshake_failed, "no TLS context for the probe");
    return probe;
  }
  const int rc = probe->transport_.connect(address);
  if (rc != 0) {
    probe->finish(status_from_uv(rc, true), uv_strerror(rc));
    return probe;
  }
  probe->arm_timer(probe->request_.timeouts.connect);
  return probe;
}

TlsProbeSession::TlsProbeSession(uv_loop_t* loop, TlsProbeRequest request, Done done)
    : loop_(loop),
      request_(std::move(request)),
      done_(std::move(done)),
      transport_(loop, *this),
      parser_(request_.limits) {
  uv_timer_init(loop_, &timer_);
  timer_.data = this;
}

void TlsProbeSession::cancel() {
  finish(Status::cancelled, "scan interrupted");
}

void TlsProbeSession::arm_timer(Millis timeout) {
  uv_timer_start(
      &timer_, [](uv_timer_t* timer) { static_cast<TlsProbeSession*>(timer->data)->on_timeout(); },
      static_cast<std::uint64_t>(timeout.count()), 0);
}

void TlsProbeSession::on_timeout() {
  switch (state_) {
    case State::connecting:
      finish(Status::connection_timeout, "no TCP handshake within the timeout");
      return;
    case State::handshake:
      finish(Status::tls_timeout, "no complete TLS handshake within the timeout");
      return;
    case State::listening:
      quit();  // the injected NOOP got no answer inside TLS: the server is not vulnerable
      return;
    case State::quitting:
      finish(Status::ok, "");
      return;
    case State::closing:
      return;
    default:
      finish(Status::io_timeout, "no complete reply within the timeout");
      return;
  }
}

void TlsProbeSession::on_transport_connected(int status) {
  if (state_ == State::closing) return;
  if (status != 0) {
    finish(status_from_uv(status, true), uv_strerror(status));
    return;
  }
  if (request_.implicit) {
    start_handshake();
    return;
  }
  state_ = State::banner;
  arm_timer(request_.timeouts.banner);
}

void TlsProbeSession::on_transport_bytes(std::string_view bytes) {
  if (state_ == State::closing) return;
  std::vector<Reply> replies;
  const bool ok = parser_.feed(bytes, replies);
  for (const Reply& reply : replies) {
    if (!on_reply(reply)) return;
  }
  if (!ok) {
    finish(Status::protocol_error, parser_.error_message());
    return;
  }
  if (handshake_next_) {
    // A partial line after the 220 is plaintext the server should not have sent either.
    outcome_.bytes_after_starttls += parser_.partial_line().size();
    start_handshake();
  }
}

bool TlsProbeSession::on_reply(const Reply& reply) {
  if (handshake_next_) {
    // Plaintext after the 220 is never read as a reply inside TLS (the CVE-2011-0411 rule).
    for (const auto& line : reply.lines) outcome_.bytes_after_starttls += line.size() + 2;
    return true;
  }
  switch (state_) {
    case State::banner:
      if (reply.code != 220) {
        finish(Status::protocol_error, "banner refused the session: " + first_line(reply));
        return false;
      }
      send("EHLO " + request_.ehlo_name + "\r\n", State::ehlo);
      return state_ != State::closing;
    case State::ehlo:
      if (!reply.positive() || !offers_starttls(reply)) {
        finish(Status::protocol_error, "EHLO did not offer STARTTLS: " + first_line(reply));
        return false;
      }
      // The injection rides in the same write as STARTTLS, as testssl.sh and the NO STARTTLS
      // study send it: a vulnerable server buffers it and answers inside TLS.
      send(request_.kind == TlsProbeKind::injection ? "STARTTLS\r\nNOOP\r\n" : "STARTTLS\r\n",
           State::starttls);
      return state_ != State::closing;
    case State::starttls:
      if (reply.code != 220) {
        finish(Status::protocol_error, "STARTTLS refused: " + first_line(reply));
        return false;
      }
      handshake_next_ = true;  // once every byte of this read is accounted for
      return true;
    case State::listening:
      outcome_.unsolicited = reply;
      finish(Status::ok, "");  // the stream is out of step now: close_notify, no QUIT
      return false;
    case State::quitting:
      finish(Status::ok, "");
      return false;
    default:
      finish(Status::protocol_error,
             "a reply arrived while no command was outstanding: " + first_line(reply));
      return false;
  }
}

void TlsProbeSession::send(std::string_view commands, State next) {
  state_ = next;
  const int rc = transport_.write(commands);
  if (rc != 0) {
    finish(status_from_uv(rc, false), uv_strerror(rc));
    return;
  }
  arm_timer(request_.timeouts.reply);
}

void TlsProbeSession::start_handshake() {
  handshake_next_ = false;
  state_ = State::handshake;
  parser_ = ReplyParser(request_.limits);  // nothing read in plaintext carries over
  arm_timer(request_.timeouts.tls);
  transport_.start_tls(*request_.context, request_.server_name);
}

void TlsProbeSession::on_tls_established() {
  if (state_ == State::closing) return;
  outcome_.established = true;
  outcome_.protocol = read_tls_facts(*transport_.tls(), request_.server_name).protocol;
  if (request_.kind == TlsProbeKind::injection) {
    // We send nothing now: any reply that arrives answers a command sent in plaintext.
    state_ = State::listening;
    arm_timer(request_.injection_wait);
    return;
  }
  if (request_.implicit) {
    finish(Status::ok, "");  // close_notify is the polite end; the banner is not needed
    return;
  }
  quit();
}

void TlsProbeSession::quit() {
  send("QUIT\r\n", State::quitting);
}

void TlsProbeSession::on_tls_failed(const std::string& reason, bool in_handshake) {
  if (state_ == State::closing) return;
  finish(in_handshake ? Status::tls_handshake_failed : Status::tls_protocol_error, reason);
}

void TlsProbeSession::on_transport_end(int status) {
  switch (state_) {
    case State::closing:
      return;
    case State::handshake:
      finish(Status::tls_handshake_failed,
             "the server closed the connection during the TLS handshake");
      return;
    case State::listening:
    case State::quitting:
      finish(Status::ok, "");  // the answer (or its absence) is known; a hang-up changes nothing
      return;
    default:
      finish(status_from_uv(status, false),
             status == UV_EOF ? "server closed the connection" : uv_strerror(status));
      return;
  }
}

void TlsProbeSession::finish(Status status, std::string detail) {
  if (state_ == State::closing) return;
  state_ = State::closing;
  outcome_.status = status;
  outcome_.detail = std::move(detail);
  uv_timer_stop(&timer_);
  transport_.close();  // close_notify first when TLS is up
  uv_close(reinterpret_cast<uv_handle_t*>(&timer_), [](uv_handle_t* handle) {
    static_cast<TlsProbeSession*>(handle->data)->on_handle_closed();
  });
}

void TlsProbeSession::on_handle_closed() {
  if (--open_handles_ > 0) return;
  done_(std::move(outcome_));
  delete this;
}

}  // namespace relayaudit
