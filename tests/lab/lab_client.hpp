// A blocking loopback SMTP client for lab tests; every socket call is bounded by a timeout.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lab/lab_server.hpp"

namespace relayaudit::testing {

struct SmtpReply {
  int code = -1;  // -1: the connection closed or timed out before a complete reply
  std::vector<std::string> lines;
  const std::string& last() const;
};

class LabClient {
 public:
  static constexpr std::chrono::milliseconds kTimeout{5000};

  // `source` binds the client's end to that IPv4 loopback address first (e.g. "127.0.0.2").
  explicit LabClient(const LabGateway& gateway, std::chrono::milliseconds timeout = kTimeout,
                     const std::string& source = {});
  ~LabClient();
  LabClient(const LabClient&) = delete;
  LabClient& operator=(const LabClient&) = delete;

  bool connected() const { return fd_ >= 0; }
  bool send(std::string_view bytes);
  // One line without its CRLF; nullopt on close, timeout or error.
  std::optional<std::string> read_line();
  // Lines up to the one with a space after the code (RFC 5321 multi-line replies).
  SmtpReply read_reply();
  // Sends `line` plus CRLF and reads the reply.
  SmtpReply command(std::string_view line);
  // Whatever arrives next (buffered bytes first); empty on close, timeout or error.
  std::string read_some();
  // True if the server closes (EOF or reset) before the timeout; data before it is skipped.
  bool wait_closed();
  bool timed_out() const { return timed_out_; }
  void shutdown_write();

 private:
  bool fill();

  int fd_ = -1;
  std::string buffer_;
  bool closed_ = false;
  bool timed_out_ = false;
};

}  // namespace relayaudit::testing
