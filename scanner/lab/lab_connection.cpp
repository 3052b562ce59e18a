// A lab session on libuv: greeting per profile, pipelined input, delayed ordered output, limits.
#include "lab/lab_connection.hpp"

#include <algorithm>
#include <utility>

#include <spdlog/spdlog.h>

#include "lab/proxy_reader.hpp"
#include "lab/tls_hostility.hpp"

namespace relayaudit {

namespace {

constexpr std::uint64_t kIdleTimeoutMs = 60'000;
// A client that stops reading must not keep a finishing session (and its memory) forever.
constexpr std::uint64_t kFlushGraceMs = 5'000;
constexpr std::size_t kMaxOutputBytes = 4 << 20;       // a pipelined batch of 60 KB replies fits
constexpr std::size_t kStreamWindowBytes = 256 << 10;  // unwritten bytes a stream may have
constexpr std::size_t kHugeLineBytes = 8 << 20;
constexpr std::size_t kHugeLineChunk = 64 << 10;
constexpr std::uint64_t kEndlessTickMs = 1;
constexpr int kEndlessLinesPerTick = 64;
constexpr std::size_t kMaxInjectedLines = 16;
constexpr std::uint64_t kProxyHeaderTimeoutMs = 5'000;  // smtpd_upstream_proxy_timeout = 5s
constexpr std::string_view kProxyLocalError = "421 4.3.0 Server local error\r\n";
// proxy-garbage's answer to a good header: a TLS-looking record, NUL, no CRLF, then the end.
constexpr char kProxyGarbageBytes[] = "\x16\x03\x01\x00\xff PROXY OK \x00\xfe";
constexpr std::string_view kProxyGarbage{kProxyGarbageBytes, sizeof kProxyGarbageBytes - 1};

bool expects_proxy_header(LabProfile profile) {
  return profile == LabProfile::trusts_runner_proxy || profile == LabProfile::proxy_garbage;
}  // starttls-injection keeps this many after STARTTLS
constexpr std::string_view kTooManyConnections =
    "421 4.3.2 The maximum number of concurrent connections has exceeded a limit, closing "
    "transmission channel\r\n";

}  // namespace

struct LabConnection::WriteRequest {
  uv_write_t req;
  std::string bytes;  // owned until the write callback
  LabConnection* connection;
};

LabConnection::LabConnection(uv_loop_t* loop, const GatewayContext& gateway, ConnectionOwner& owner)
    : loop_(loop),
      gateway_(gateway),
      owner_(owner),
      reader_(gateway.options.max_line),
      pending_(kMaxOutputBytes),
      distortion_(gateway.profile),
      wire_(gateway.options.latency) {
  // Both only fill in memory (AF_UNSPEC creates no socket yet), so they cannot fail.
  uv_tcp_init(loop, &tcp_);
  uv_timer_init(loop, &timer_);
  tcp_.data = this;
  timer_.data = this;
}

void LabConnection::start() {
  stamp_event();
  sockaddr_storage peer{};
  int length = sizeof peer;
  char ip[64] = "";
  if (uv_tcp_getpeername(&tcp_, reinterpret_cast<sockaddr*>(&peer), &length) == 0) {
    uv_ip_name(reinterpret_cast<sockaddr*>(&peer), ip, sizeof ip);
  }
  peer_ip_ = ip;
  dialogue_.emplace(gateway_, ip);
  last_input_ms_ = now();
  if (gateway_.implicit_tls && gateway_.tls != nullptr) {
    // Implicit TLS: the banner waits in the queue until the handshake is done.
    tls_ = std::make_unique<TlsEngine>(*gateway_.tls, TlsEngine::Role::server);
    dialogue_->tls_started();
  }
  awaiting_proxy_ = expects_proxy_header(gateway_.profile);
  proxy_deadline_ms_ = now() + kProxyHeaderTimeoutMs;
  // Behind a load balancer the banner waits for the header, as Postfix's does.
  if (admit_peer() && !awaiting_proxy_) greet();
  if (closing_) return;
  // Every profile reads, even the silent ones: that is how they notice the client leaving.
  if (int rc = uv_read_start(stream(), on_alloc, on_read); rc != 0) {
    spdlog::debug("lab: {}: cannot read from {}: {}", gateway_.host_name, ip, uv_strerror(rc));
    close_now();
    return;
  }
  flush();
  pump_huge_line();
  reschedule();
}

bool LabConnection::admit_peer() {
  if (gateway_.profile == LabProfile::connection_limit &&
      gateway_.peers.open_from(peer_ip_) >= gateway_.options.connection_limit) {
    // Exchange's MaxInboundConnectionPerSource: refused in the banner, never counted as open.
    ++gateway_.stats.connection_limit_refusals;
    enqueue(std::string(kTooManyConnections), Millis{0}, true);
    finish();
    return false;
  }
  const auto open = static_cast<std::uint64_t>(gateway_.peers.add(peer_ip_));
  peer_counted_ = true;
  gateway_.stats.peak_connections_per_peer =
      std::max(gateway_.stats.peak_connections_per_peer, open);
  return true;
}

void LabConnection::greet() {
  switch (gateway_.profile) {
    case LabProfile::silent:
    case LabProfile::endless_reply:
      return;  // endless lines come from the timer
    case LabProfile::truncated_close:
      enqueue("220 partial banner", Millis{0});
      finish();
      return;
    case LabProfile::huge_line:
      enqueue("220 ", Millis{0});
      huge_line_left_ = kHugeLineBytes;
      return;
    default:
      break;
  }
  auto lines = dialogue_->banner();
  for (std::size_t i = 0; i < lines.size(); ++i) {
    bool final_line = i + 1 == lines.size();
    const bool paused =
        gateway_.profile == LabProfile::tarpit || gateway_.profile == LabProfile::greet_pause;
    Millis delay = final_line && paused ? gateway_.options.tarpit_banner_delay : Millis{0};
    if (final_line && gateway_.profile == LabProfile::postscreen) {
      delay = gateway_.options.greet_wait;
    }
    std::string again = final_line ? distortion_.second_banner(lines[i]) : std::string();
    enqueue(final_line ? distortion_.banner(std::move(lines[i])) : std::move(lines[i]), delay,
            final_line);
    if (!again.empty()) enqueue(std::move(again), ReplyDistortion::kSecondBannerDelay);
  }
}

bool LabConnection::speaks_smtp() const {
  switch (gateway_.profile) {
    case LabProfile::silent:
    case LabProfile::endless_reply:
    case LabProfile::huge_line:
    case LabProfile::truncated_close:
      return false;
    default:
      return true;
  }
}

void LabConnection::on_alloc(uv_handle_t* handle, std::size_t, uv_buf_t* buf) {
  *buf = static_cast<LabConnection*>(handle->data)->owner_.read_buffer();
}

void LabConnection::on_read(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf) {
  auto& connection = *static_cast<LabConnection*>(stream->data);
  connection.stamp_event();
  if (nread > 0) {
    connection.handle_input(std::string_view(buf->base, static_cast<std::size_t>(nread)));
  } else if (nread == UV_EOF) {
    connection.handle_eof();
  } else if (nread < 0) {
    connection.close_now();
  }
}

bool LabConnection::decrypt(std::string_view data, std::string& plaintext) {
  const TlsHostility hostility = tls_hostility(gateway_.profile);
  if (!tls_->established() && hostility == TlsHostility::stall) return true;  // never answers
  if (!tls_->established() && hostility == TlsHostility::garbage) {
    if (!write(garbage_handshake_reply())) return false;
    finish();  // the rest of what the client sends is moot
    return true;
  }
  TlsEngine::Output out = tls_->receive(data);
  if (!out.ciphertext.empty() && !write(std::move(out.ciphertext))) return false;
  if (!out.error.empty()) {
    spdlog::debug("lab: {}: {}", gateway_.host_name, out.error);
    close_now();
    return false;
  }
  plaintext = std::move(out.plaintext);
  if (!out.established) return true;
  ++gateway_.stats.tls_sessions;
  if (hostility == TlsHostility::garbage_records) {
    pending_.clear();  // junk instead of any reply, then the end
    plaintext.clear();
    if (!write(garbage_records())) return false;
    finish();
  } else if (hostility == TlsHostility::renegotiate) {
    TlsEngine::Output hello = tls_->renegotiate();
    if (!hello.ciphertext.empty() && !write(std::move(hello.ciphertext))) return false;
  }
  // starttls-injection: what came pipelined after STARTTLS runs now, answered inside TLS.
  for (const std::string& line : injected_) {
    apply(dialogue_->on_line(line, now()), std::string_view(line).substr(0, line.find(' ')));
  }
  injected_.clear();
  return true;
}

bool LabConnection::keep_injected(LineReader::Event event, std::string_view line) {
  // Every other profile drops pipelined plaintext after STARTTLS's 220 (CVE-2011-0411).
  if (gateway_.profile != LabProfile::starttls_injection || event != LineReader::Event::line) {
    return false;
  }
  if (injected_.size() < kMaxInjectedLines) injected_.emplace_back(line);
  return true;
}

void LabConnection::handle_input(std::string_view data) {
  last_input_ms_ = now();
  if (finishing_) return;  // after QUIT or 421 the rest of a pipelined batch is moot
  std::string after_header;
  if (awaiting_proxy_ && !take_proxy_header(data, after_header)) {
    flush();
    reschedule();
    return;
  }
  std::string plaintext;
  if (tls_) {
    if (!decrypt(data, plaintext)) return;
    data = plaintext;
    if (data.empty()) {  // handshake records only
      flush();
      reschedule();
      return;
    }
  }
  if (!speaks_smtp()) {
    // These profiles exist for what they send; input is counted, never answered.
    if (!pregreet_counted_) ++gateway_.stats.pregreet_violations;
    pregreet_counted_ = true;
    return;
  }
  if (!greeted_) {
    reject_pregreet();
  } else {
    std::uint64_t commands_before = gateway_.stats.commands;
    reader_.feed(data, [this](LineReader::Event event, std::string_view line) {
      if (tls_after_flush_) return keep_injected(event, line);
      const std::string_view verb = line.substr(0, line.find(' '));
      apply(event == LineReader::Event::line ? dialogue_->on_line(line, now())
                                             : dialogue_->on_overlong_line(),
            event == LineReader::Event::line ? verb : std::string_view{});
      return !finishing_ && !closing_;
    });
    gateway_.stats.max_commands_per_read =
        std::max(gateway_.stats.max_commands_per_read, gateway_.stats.commands - commands_before);
  }
  flush();
  reschedule();
}

void LabConnection::handle_eof() {
  uv_read_stop(stream());
  if (!speaks_smtp() || (tls_ && !tls_->established())) {
    close_now();  // nobody is left to read the stream, or nothing can be sent to it
    return;
  }
  finish();  // a client may half-close after a pipelined QUIT and still read the replies
  flush();
  reschedule();
}

bool LabConnection::take_proxy_header(std::string_view& data, std::string& rest) {
  const std::size_t room = kMaxProxyHeaderBytes - proxy_bytes_.size();
  proxy_bytes_.append(data.substr(0, room));
  const ProxyRead read = read_proxy_header(proxy_bytes_);
  if (read.state == ProxyRead::State::incomplete && proxy_bytes_.size() < kMaxProxyHeaderBytes) {
    return false;
  }
  awaiting_proxy_ = false;
  if (read.state != ProxyRead::State::done) {
    spdlog::debug("lab: {}: bad PROXY header: {}", gateway_.host_name, read.problem);
    enqueue(std::string(kProxyLocalError), Millis{0}, true);
    finish();
    return false;
  }
  if (gateway_.profile == LabProfile::proxy_garbage) {
    enqueue(std::string(kProxyGarbage), Millis{0}, true);
    finish();
    return false;
  }
  // The header names the client every later decision is about.
  if (!read.source_ip.empty()) dialogue_.emplace(gateway_, read.source_ip);
  greet();
  flush();
  // Whatever followed the header in the same read: the client's first command, once greeted.
  const std::size_t header_in_data =
      read.consumed - (proxy_bytes_.size() - std::min(room, data.size()));
  rest = std::string(data.substr(std::min(header_in_data, data.size())));
  data = rest;
  return !data.empty();
}

// postscreen's pregreet test: a client that talks before the greeting is not a real MTA.
void LabConnection::reject_pregreet() {
  ++gateway_.stats.pregreet_violations;
  pending_.clear();  // the greeting still held back is never sent
  // The postscreen profile is postscreen_greet_action = drop (postscreen_early.c).
  enqueue(gateway_.profile == LabProfile::postscreen ? "521 5.5.1 Protocol error\r\n"
                                                     : "554 5.5.1 Protocol error: pregreet\r\n",
          Millis{0});
  finish();
}

void LabConnection::apply(DialogueReply reply, std::string_view verb) {
  if (reply.after == AfterReply::drop) {
    spdlog::debug("lab: {}: dropping the session without a reply", gateway_.host_name);
    finish();
    return;
  }
  Millis delay =
      gateway_.profile == LabProfile::tarpit ? gateway_.options.tarpit_reply_delay : Millis{0};
  std::string text = distortion_.reply(verb, std::move(reply.text), now());
  if (!text.empty() && !enqueue(std::move(text), delay + reply.delay)) return;
  if (!reply.follow_up.empty() && !enqueue(std::move(reply.follow_up), reply.follow_up_delay)) {
    return;
  }
  if (reply.after == AfterReply::close) finish();
  if (reply.after == AfterReply::start_tls) tls_after_flush_ = true;
}

// False when the session was closed for its backlog (a client that does not read).
bool LabConnection::enqueue(std::string bytes, Millis delay, bool final_greeting) {
  if (closing_) return false;
  // now() is rounded down to the millisecond: one more makes the delay "at least", never less.
  if (delay.count() > 0) delay += Millis{1};
  if (!pending_.push(std::move(bytes), now(), delay, unsent_bytes(), final_greeting)) {
    spdlog::debug("lab: {}: client does not read its replies, closing", gateway_.host_name);
    close_now();
    return false;
  }
  return true;
}

// Writes every queued item that is due in one write, and closes a finished, drained session.
void LabConnection::flush() {
  if (closing_) return;
  if (tls_ && !tls_->established()) return;  // plaintext waits for the handshake
  ReplyQueue::Due due = pending_.take_due(now());
  greeted_ = greeted_ || due.final_greeting;
  if (!due.bytes.empty()) {
    std::string bytes = std::move(due.bytes);
    if (tls_) {
      TlsEngine::Output out = tls_->send(bytes);
      if (!out.error.empty()) {
        close_now();
        return;
      }
      bytes = std::move(out.ciphertext);
    }
    if (!write(std::move(bytes))) return;
  }
  if (tls_after_flush_ && pending_.empty()) {
    // The 220 is on its way in plaintext; what the client sends next is its ClientHello.
    tls_after_flush_ = false;
    tls_ = std::make_unique<TlsEngine>(*gateway_.tls, TlsEngine::Role::server);
    reader_ = LineReader(gateway_.options.max_line);
    dialogue_->tls_started();
  }
  if (finishing_ && pending_.empty() && unsent_bytes() == 0) close_now();
}

bool LabConnection::write(std::string bytes) {
  if (!wire_.active()) return write_now(std::move(bytes));
  wire_.push(std::move(bytes), now());
  return true;
}

void LabConnection::release_wire() {
  if (std::string due = wire_.take_due(now()); !due.empty()) write_now(std::move(due));
}

bool LabConnection::write_now(std::string bytes) {
  auto* request = new WriteRequest{uv_write_t{}, std::move(bytes), this};
  request->req.data = request;
  uv_buf_t buf = uv_buf_init(request->bytes.data(), static_cast<unsigned>(request->bytes.size()));
  if (int rc = uv_write(&request->req, stream(), &buf, 1, on_write); rc != 0) {
    delete request;
    close_now();
    return false;
  }
  in_flight_bytes_ += request->bytes.size();
  return true;
}

void LabConnection::on_write(uv_write_t* req, int status) {
  auto* request = static_cast<WriteRequest*>(req->data);
  LabConnection& connection = *request->connection;
  connection.stamp_event();
  connection.in_flight_bytes_ -= request->bytes.size();
  delete request;
  if (status < 0) {
    connection.close_now();  // also the UV_ECANCELED of writes cut off by close: a no-op then
    return;
  }
  if (connection.closing_) return;
  connection.pump_huge_line();
  connection.flush();
  connection.reschedule();
}

// Keeps at most kStreamWindowBytes unwritten: back-pressure, not memory, paces the 8 MiB.
void LabConnection::pump_huge_line() {
  if (gateway_.profile != LabProfile::huge_line || closing_ || finishing_) return;
  while (huge_line_left_ > 0 && pending_.empty() && unsent_bytes() < kStreamWindowBytes) {
    std::size_t size = std::min(kHugeLineChunk, huge_line_left_);
    huge_line_left_ -= size;
    if (!write(std::string(size, 'A'))) return;
    if (huge_line_left_ == 0) {
      if (!write("\r\n")) return;
      finish();  // a scanner has given up on this line long ago; nothing follows it
    }
  }
}

void LabConnection::on_timer(uv_timer_t* timer) {
  auto& connection = *static_cast<LabConnection*>(timer->data);
  connection.stamp_event();
  connection.tick();
}

void LabConnection::tick() {
  if (closing_) return;
  release_wire();
  if (closing_) return;
  if (finishing_ && now() >= finish_deadline_ms_) {
    close_now();
    return;
  }
  if (awaiting_proxy_ && now() >= proxy_deadline_ms_) {
    awaiting_proxy_ = false;  // no header in time: Postfix's "Server local error"
    if (!enqueue(std::string(kProxyLocalError), Millis{0}, true)) return;
    finish();
  }
  if (!finishing_ && now() - last_input_ms_ >= kIdleTimeoutMs) {
    if (!speaks_smtp()) {
      close_now();
      return;
    }
    if (!enqueue("421 4.4.2 Timeout\r\n", Millis{0})) return;
    finish();
  }
  if (std::string held = distortion_.release(now()); !held.empty()) {
    if (!enqueue(std::move(held), Millis{0})) return;
  }
  bool endless = gateway_.profile == LabProfile::endless_reply;
  if (endless && !finishing_ && unsent_bytes() < kStreamWindowBytes) {
    std::string burst;
    for (int i = 0; i < kEndlessLinesPerTick; ++i) {
      burst.append("220-").append(gateway_.host_name).append(" still greeting ");
      burst.append(std::to_string(++endless_lines_)).append("\r\n");
    }
    if (!write(std::move(burst))) return;
  }
  flush();
  reschedule();
}

void LabConnection::finish() {
  if (finishing_) return;
  finishing_ = true;
  finish_deadline_ms_ = std::max(now(), pending_.last_ready_ms()) +
                        static_cast<std::uint64_t>(gateway_.options.latency.count()) +
                        kFlushGraceMs;
}

// One timer covers the session: the next due reply, the next endless burst, the idle limit
// and, once finishing, the flush limit.
void LabConnection::reschedule() {
  if (closing_) return;
  std::uint64_t next = finishing_ ? finish_deadline_ms_ : last_input_ms_ + kIdleTimeoutMs;
  if (awaiting_proxy_) next = std::min(next, proxy_deadline_ms_);
  // Output held for the TLS handshake is not due: a timer at "now" would spin the loop.
  const bool held_for_tls = tls_ && !tls_->established();
  if (auto ready = pending_.next_ready_ms(); ready && !held_for_tls) {
    next = std::min(next, *ready);
  }
  if (auto held = distortion_.held_until_ms(); held != 0) next = std::min(next, held);
  if (auto crossing = wire_.next_due_ms()) next = std::min(next, *crossing);
  if (gateway_.profile == LabProfile::endless_reply && !finishing_ &&
      unsent_bytes() < kStreamWindowBytes) {
    next = std::min(next, now() + kEndlessTickMs);
  }
  // The loop's time is never ahead of now(): a timer armed from it fires at `next` or later.
  const std::uint64_t loop_now = uv_now(loop_);
  uv_timer_start(&timer_, on_timer, next > loop_now ? next - loop_now : 0, 0);
}

void LabConnection::close_now() {
  if (closing_) return;
  closing_ = true;
  if (peer_counted_) gateway_.peers.remove(peer_ip_);
  peer_counted_ = false;
  uv_close(reinterpret_cast<uv_handle_t*>(&tcp_), on_close);
  uv_close(reinterpret_cast<uv_handle_t*>(&timer_), on_close);
}

void LabConnection::on_close(uv_handle_t* handle) {
  auto* connection = static_cast<LabConnection*>(handle->data);
  if (--connection->open_handles_ > 0) return;
  connection->owner_.connection_closed(*connection);
  delete connection;
}

}  // namespace relayaudit
