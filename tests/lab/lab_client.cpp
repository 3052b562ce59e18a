// Blocking POSIX socket client used by the lab tests (SO_RCVTIMEO/SO_SNDTIMEO bound each call).
#include "lab_client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <utility>

namespace relayaudit::testing {

const std::string& SmtpReply::last() const {
  static const std::string empty;
  return lines.empty() ? empty : lines.back();
}

LabClient::LabClient(const LabGateway& gateway, std::chrono::milliseconds timeout,
                     const std::string& source) {
  sockaddr_storage address{};
  socklen_t length = 0;
  bool v6 = gateway.address.find(':') != std::string::npos;
  if (v6) {
    auto* in6 = reinterpret_cast<sockaddr_in6*>(&address);
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons(gateway.port);
    if (inet_pton(AF_INET6, gateway.address.c_str(), &in6->sin6_addr) != 1) return;
    length = sizeof(sockaddr_in6);
  } else {
    auto* in4 = reinterpret_cast<sockaddr_in*>(&address);
    in4->sin_family = AF_INET;
    in4->sin_port = htons(gateway.port);
    if (inet_pton(AF_INET, gateway.address.c_str(), &in4->sin_addr) != 1) return;
    length = sizeof(sockaddr_in);
  }
  int fd = ::socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return;
  timeval limit{};
  limit.tv_sec = static_cast<time_t>(timeout.count() / 1000);
  limit.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit);  // also bounds connect()
  if (!source.empty() && !v6) {
    sockaddr_in local{};
    local.sin_family = AF_INET;
    if (inet_pton(AF_INET, source.c_str(), &local.sin_addr) != 1 ||
        ::bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0) {
      ::close(fd);
      return;
    }
  }
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), length) != 0) {
    ::close(fd);
    return;
  }
  fd_ = fd;
}

LabClient::~LabClient() {
  if (fd_ >= 0) ::close(fd_);
}

bool LabClient::send(std::string_view bytes) {
  while (fd_ >= 0 && !bytes.empty()) {
    ssize_t sent = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (sent < 0 && errno == EINTR) continue;
    if (sent <= 0) return false;
    bytes.remove_prefix(static_cast<std::size_t>(sent));
  }
  return fd_ >= 0;
}

bool LabClient::fill() {
  if (fd_ < 0 || closed_) return false;
  char chunk[65536];
  while (true) {
    ssize_t got = ::recv(fd_, chunk, sizeof chunk, 0);
    if (got > 0) {
      buffer_.append(chunk, static_cast<std::size_t>(got));
      return true;
    }
    if (got < 0 && errno == EINTR) continue;
    if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      timed_out_ = true;
    } else {
      closed_ = true;  // EOF or reset: either way the server is gone
    }
    return false;
  }
}

std::optional<std::string> LabClient::read_line() {
  while (true) {
    auto lf = buffer_.find('\n');
    if (lf != std::string::npos) {
      std::string line = buffer_.substr(0, lf);
      buffer_.erase(0, lf + 1);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      return line;
    }
    if (!fill()) return std::nullopt;
  }
}

SmtpReply LabClient::read_reply() {
  SmtpReply reply;
  while (auto line = read_line()) {
    reply.lines.push_back(*line);
    if (line->size() < 3) break;
    if (line->size() == 3 || (*line)[3] == ' ') {
      reply.code = std::atoi(line->substr(0, 3).c_str());
      break;
    }
  }
  return reply;
}

SmtpReply LabClient::command(std::string_view line) {
  if (!send(std::string(line) + "\r\n")) return {};
  return read_reply();
}

std::string LabClient::read_some() {
  if (buffer_.empty()) fill();
  return std::exchange(buffer_, std::string());
}

bool LabClient::wait_closed() {
  buffer_.clear();
  while (fill()) buffer_.clear();
  return closed_;
}

void LabClient::shutdown_write() {
  if (fd_ >= 0) ::shutdown(fd_, SHUT_WR);
}

}  // namespace relayaudit::testing
