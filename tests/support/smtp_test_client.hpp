// A small blocking SMTP client for tests that talk to real servers on 127.0.0.1.
//
// It is deliberately independent of scanner/smtp: tests use it as a second opinion on what a
// server really answered, so it must not share the parser it is checking.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace relayaudit::testing {

// One complete SMTP reply, or the reason none was read.
struct SmtpTestReply {
  int code = 0;                    // 0 when error is set
  std::vector<std::string> lines;  // raw lines without CRLF
  std::string error;               // empty on success

  bool ok() const { return error.empty(); }
  // Every line joined by '\n', or the error: for assertion messages.
  std::string describe() const;
  // "5.7.1" when the first line carries an RFC 3463 code after the reply code, else "".
  std::string enhanced_code() const;
};

// Connects to 127.0.0.1 only: the test network rule is enforced by the type, not by callers.
class SmtpTestClient {
 public:
  explicit SmtpTestClient(std::chrono::milliseconds io_timeout = std::chrono::seconds(10));
  ~SmtpTestClient();
  SmtpTestClient(const SmtpTestClient&) = delete;
  SmtpTestClient& operator=(const SmtpTestClient&) = delete;

  // Opens the connection; the banner is then read with read_reply(). Returns "" or the reason.
  std::string connect(std::uint16_t port);
  // Reads one reply, multi-line or not: it ends only at a "ddd " (or bare "ddd") line.
  SmtpTestReply read_reply();
  // Sends `line` followed by CRLF and reads the reply.
  SmtpTestReply command(std::string_view line);
  // Sends raw bytes (e.g. a message body ending in "\r\n.\r\n"); returns "" or the reason.
  std::string send_raw(std::string_view bytes);
  void close();
  bool connected() const { return fd_ >= 0; }

 private:
  // Returns one line without its line ending, or sets *error.
  std::string read_line(std::string* error);

  std::chrono::milliseconds io_timeout_;
  int fd_ = -1;
  std::string buffer_;  // bytes received but not yet returned as lines
};

}  // namespace relayaudit::testing
