// One accepted client of a lab gateway: its socket, one timer, bounded input and ordered output.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <uv.h>

#include "core/duration.hpp"
#include "lab/gateway_context.hpp"
#include "lab/line_reader.hpp"
#include "lab/reply_distortion.hpp"
#include "lab/reply_queue.hpp"
#include "lab/smtp_dialogue.hpp"
#include "lab/wire_delay.hpp"
#include "tls/tls_engine.hpp"

namespace relayaudit {

class LabConnection;

// What a connection needs from the server that accepted it.
class ConnectionOwner {
 public:
  // Called from the connection's last close callback, just before it deletes itself.
  virtual void connection_closed(LabConnection& connection) = 0;
  // One read buffer for the whole loop: every read callback consumes it before the next read.
  virtual uv_buf_t read_buffer() = 0;

 protected:
  ~ConnectionOwner() = default;
};

// Heap-only: created with new, it deletes itself once both of its handles are closed.
class LabConnection {
 public:
  LabConnection(uv_loop_t* loop, const GatewayContext& gateway, ConnectionOwner& owner);
  LabConnection(const LabConnection&) = delete;
  LabConnection& operator=(const LabConnection&) = delete;

  uv_stream_t* stream() { return reinterpret_cast<uv_stream_t*>(&tcp_); }
  // After uv_accept: greets the client the way the profile does and starts reading.
  void start();
  // Closes the socket and the timer now, dropping unsent output; safe to call again.
  void close_now();

 private:
  struct WriteRequest;

  ~LabConnection() = default;

  static void on_alloc(uv_handle_t* handle, std::size_t suggested, uv_buf_t* buf);
  static void on_read(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf);
  static void on_write(uv_write_t* req, int status);
  static void on_timer(uv_timer_t* timer);
  static void on_close(uv_handle_t* handle);

  void greet();
  // connection-limit: false (after queuing its 421) for one connection too many from the peer.
  bool admit_peer();
  void handle_input(std::string_view data);
  // TLS records in, plaintext out (handshake bytes answered on the way); false once closed.
  bool decrypt(std::string_view data, std::string& plaintext);
  // A line pipelined after STARTTLS's 220: false drops it and the rest of the read.
  bool keep_injected(LineReader::Event event, std::string_view line);
  void handle_eof();
  // Profiles behind a load balancer: the PROXY header before the banner. False while the rest
  // of `data` is not SMTP input (the header is incomplete, or was bad and the session ends).
  bool take_proxy_header(std::string_view& data, std::string& rest);
  void reject_pregreet();
  // `verb` is the command the reply answers, for the hostile reply orders.
  void apply(DialogueReply reply, std::string_view verb);
  bool enqueue(std::string bytes, Millis delay, bool final_greeting = false);
  // Bytes for the client: onto the simulated network path, or straight to the socket.
  bool write(std::string bytes);
  bool write_now(std::string bytes);
  // Hands what has crossed the simulated network path to the socket.
  void release_wire();
  std::size_t unsent_bytes() const { return in_flight_bytes_ + wire_.bytes(); }
  void flush();
  void pump_huge_line();
  void tick();
  void finish();
  void reschedule();
  bool speaks_smtp() const;
  // The time of the event being handled, read when its callback starts. Not uv_now(): the loop's
  // cached (and possibly coarse) time may lag behind a read, which would shorten delays; timers
  // are still armed against uv_now(), which is never ahead of it, so they never fire early.
  std::uint64_t now() const { return event_ms_; }
  void stamp_event() { event_ms_ = uv_hrtime() / 1'000'000; }

  uv_tcp_t tcp_{};
  // One timer per session: delayed replies, latency, streaming, idle and flush limits.
  uv_timer_t timer_{};
  uv_loop_t* loop_;
  const GatewayContext& gateway_;
  ConnectionOwner& owner_;
  std::optional<SmtpDialogue> dialogue_;  // set in start(), once the client's address is known
  LineReader reader_;
  ReplyQueue pending_;
  ReplyDistortion distortion_;
  WireDelay wire_;  // LabOptions::latency
  std::string peer_ip_;
  bool peer_counted_ = false;          // in gateway_.peers until the connection closes
  std::unique_ptr<TlsEngine> tls_;     // once STARTTLS's 220 is written: every byte is TLS
  bool tls_after_flush_ = false;       // the 220 to STARTTLS is queued
  std::vector<std::string> injected_;  // starttls-injection: lines sent after STARTTLS, run in TLS
  std::size_t in_flight_bytes_ = 0;    // handed to uv_write, not yet written
  std::uint64_t event_ms_ = 0;
  std::uint64_t last_input_ms_ = 0;
  std::uint64_t finish_deadline_ms_ = 0;
  std::size_t huge_line_left_ = 0;
  std::uint64_t endless_lines_ = 0;
  int open_handles_ = 2;
  bool greeted_ = false;    // the final greeting line was handed to the socket
  bool finishing_ = false;  // no more input is processed; close once the output is written
  bool closing_ = false;
  bool pregreet_counted_ = false;
  bool awaiting_proxy_ = false;          // the PROXY header has not arrived yet
  std::string proxy_bytes_;              // of the header so far, at most kMaxProxyHeaderBytes
  std::uint64_t proxy_deadline_ms_ = 0;  // Postfix smtpd_upstream_proxy_timeout
};

}  // namespace relayaudit
