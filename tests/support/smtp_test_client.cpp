// A small blocking SMTP client for tests that talk to real servers on 127.0.0.1.
#include "support/smtp_test_client.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>

#include "support/errno_text.hpp"

namespace relayaudit::testing {
namespace {

// Replies longer than this are a broken server, not something to buffer forever.
constexpr std::size_t kMaxLineBytes = 4096;
constexpr std::size_t kMaxReplyLines = 1000;

bool starts_with_code(const std::string& line) {
  return line.size() >= 3 && std::isdigit(static_cast<unsigned char>(line[0])) &&
         std::isdigit(static_cast<unsigned char>(line[1])) &&
         std::isdigit(static_cast<unsigned char>(line[2]));
}

timeval to_timeval(std::chrono::milliseconds value) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(value.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((value.count() % 1000) * 1000);
  return tv;
}

}  // namespace

std::string SmtpTestReply::describe() const {
  if (!ok()) return "(no reply: " + error + ")";
  std::string text;
  for (const auto& line : lines) {
    if (!text.empty()) text += '\n';
    text += line;
  }
  return text;
}

std::string SmtpTestReply::enhanced_code() const {
  if (lines.empty() || lines.front().size() < 5) return "";
  // "554 5.7.1 text": class digit, '.', subject digits, '.', detail digits.
  const std::string& line = lines.front();
  std::size_t end = 4;
  int dots = 0;
  while (end < line.size() && line[end] != ' ') {
    if (line[end] == '.') {
      ++dots;
    } else if (!std::isdigit(static_cast<unsigned char>(line[end]))) {
      return "";
    }
    ++end;
  }
  if (dots != 2) return "";
  return line.substr(4, end - 4);
}

SmtpTestClient::SmtpTestClient(std::chrono::milliseconds io_timeout) : io_timeout_(io_timeout) {}

SmtpTestClient::~SmtpTestClient() {
  close();
}

std::string SmtpTestClient::connect(std::uint16_t port) {
  close();
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) return errno_text("socket");

  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);

  // Non-blocking connect bounded by poll, then blocking I/O bounded by socket timeouts.
  const int flags = ::fcntl(fd_, F_GETFL, 0);
  ::fcntl(fd_, F_SETFL, flags | O_NONBLOCK);
  if (::connect(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    if (errno != EINPROGRESS) {
      std::string reason = errno_text("connect to 127.0.0.1:" + std::to_string(port));
      close();
      return reason;
    }
    pollfd waiting{fd_, POLLOUT, 0};
    const int ready = ::poll(&waiting, 1, static_cast<int>(io_timeout_.count()));
    if (ready <= 0) {
      close();
      return "connect to 127.0.0.1:" + std::to_string(port) + ": timed out";
    }
    int so_error = 0;
    socklen_t length = sizeof so_error;
    ::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &so_error, &length);
    if (so_error != 0) {
      close();
      return "connect to 127.0.0.1:" + std::to_string(port) + ": " + std::strerror(so_error);
    }
  }
  ::fcntl(fd_, F_SETFL, flags);
  const timeval tv = to_timeval(io_timeout_);
  ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  buffer_.clear();
  return "";
}

std::string SmtpTestClient::read_line(std::string* error) {
  for (;;) {
    const std::size_t newline = buffer_.find('\n');
    if (newline != std::string::npos) {
      std::string line = buffer_.substr(0, newline);
      buffer_.erase(0, newline + 1);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      return line;
    }
    if (buffer_.size() > kMaxLineBytes) {
      *error = "reply line longer than " + std::to_string(kMaxLineBytes) + " bytes";
      return "";
    }
    char chunk[1024];
    const ssize_t received = ::recv(fd_, chunk, sizeof chunk, 0);
    if (received > 0) {
      buffer_.append(chunk, static_cast<std::size_t>(received));
    } else if (received == 0) {
      *error = "connection closed by server";
      return "";
    } else if (errno == EINTR) {
      continue;
    } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
      *error = "no reply within " + std::to_string(io_timeout_.count()) + " ms";
      return "";
    } else {
      *error = errno_text("recv");
      return "";
    }
  }
}

SmtpTestReply SmtpTestClient::read_reply() {
  SmtpTestReply reply;
  if (fd_ < 0) {
    reply.error = "not connected";
    return reply;
  }
  for (;;) {
    std::string error;
    std::string line = read_line(&error);
    if (!error.empty()) {
      reply.error = error;
      if (!reply.lines.empty()) reply.error += " (after: " + reply.lines.back() + ")";
      reply.code = 0;
      return reply;
    }
    if (!starts_with_code(line) || (line.size() > 3 && line[3] != ' ' && line[3] != '-')) {
      reply.error = "malformed reply line: " + line;
      reply.code = 0;
      return reply;
    }
    const int code = std::stoi(line.substr(0, 3));
    if (!reply.lines.empty() && code != reply.code) {
      reply.error = "reply code changed inside a multi-line reply: " + line;
      reply.code = 0;
      return reply;
    }
    reply.code = code;
    const bool last = line.size() == 3 || line[3] == ' ';
    reply.lines.push_back(std::move(line));
    if (last) return reply;
    if (reply.lines.size() >= kMaxReplyLines) {
      reply.error = "more than " + std::to_string(kMaxReplyLines) + " lines in one reply";
      reply.code = 0;
      return reply;
    }
  }
}

std::string SmtpTestClient::send_raw(std::string_view bytes) {
  if (fd_ < 0) return "not connected";
  while (!bytes.empty()) {
    const ssize_t sent = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (sent < 0) {
      if (errno == EINTR) continue;
      return errno_text("send");
    }
    bytes.remove_prefix(static_cast<std::size_t>(sent));
  }
  return "";
}

SmtpTestReply SmtpTestClient::command(std::string_view line) {
  std::string wire(line);
  wire += "\r\n";
  const std::string error = send_raw(wire);
  if (!error.empty()) {
    SmtpTestReply reply;
    reply.error = error;
    return reply;
  }
  return read_reply();
}

void SmtpTestClient::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  buffer_.clear();
}

}  // namespace relayaudit::testing
