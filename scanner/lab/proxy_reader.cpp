// PROXY v1 ("PROXY TCP4 src dst sport dport\r\n") and v2 (binary) header parsing, bounded.
#include "lab/proxy_reader.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <vector>

namespace relayaudit {
namespace {

constexpr std::string_view kV1Prefix = "PROXY ";
constexpr std::size_t kV1MaxBytes = 107;
constexpr std::string_view kV2Signature{"\x0D\x0A\x0D\x0A\x00\x0D\x0A\x51\x55\x49\x54\x0A", 12};

ProxyRead bad_header(std::string problem) {
  ProxyRead read;
  read.state = ProxyRead::State::bad;
  read.problem = std::move(problem);
  return read;
}

bool starts_like(std::string_view bytes, std::string_view prefix) {
  const std::size_t n = std::min(bytes.size(), prefix.size());
  return bytes.substr(0, n) == prefix.substr(0, n);
}

std::vector<std::string_view> split_words(std::string_view line) {
  std::vector<std::string_view> words;
  std::size_t pos = 0;
  while (pos <= line.size()) {
    const std::size_t space = std::min(line.find(' ', pos), line.size());
    words.push_back(line.substr(pos, space - pos));
    pos = space + 1;
  }
  return words;
}

bool valid_port(std::string_view text) {
  if (text.empty() || text.size() > 5) return false;
  if (!std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return false;
  }
  return std::stoi(std::string(text)) <= 65535;
}

ProxyRead read_v1(std::string_view bytes) {
  const std::size_t crlf = bytes.find("\r\n");
  if (crlf == std::string_view::npos) {
    if (bytes.size() >= kV1MaxBytes) return bad_header("v1 header without CRLF in 107 bytes");
    return {};
  }
  const auto words = split_words(bytes.substr(0, crlf));
  if (words.size() != 6 || (words[1] != "TCP4" && words[1] != "TCP6")) {
    return bad_header("v1 header is not PROXY TCP4|TCP6 src dst sport dport");
  }
  const int family = words[1] == "TCP4" ? AF_INET : AF_INET6;
  std::array<unsigned char, 16> buffer{};
  for (std::size_t i : {2u, 3u}) {
    if (inet_pton(family, std::string(words[i]).c_str(), buffer.data()) != 1) {
      return bad_header("v1 header address is not " + std::string(words[1]));
    }
  }
  if (!valid_port(words[4]) || !valid_port(words[5])) return bad_header("v1 header port");
  ProxyRead read;
  read.state = ProxyRead::State::done;
  read.source_ip = std::string(words[2]);
  read.consumed = crlf + 2;
  return read;
}

ProxyRead read_v2(std::string_view bytes) {
  if (bytes.size() < 16) return {};
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(bytes[i]); };
  const std::size_t length = (static_cast<std::size_t>(byte(14)) << 8) | byte(15);
  if (16 + length > kMaxProxyHeaderBytes) return bad_header("v2 header longer than it may be");
  if (bytes.size() < 16 + length) return {};
  ProxyRead read;
  read.state = ProxyRead::State::done;
  read.consumed = 16 + length;
  if (byte(12) == 0x20) return read;  // LOCAL: the connection speaks for itself
  if (byte(12) != 0x21) return bad_header("v2 header version/command is not 0x21");
  char text[INET6_ADDRSTRLEN] = {};
  if (byte(13) == 0x11 && length >= 12) {
    inet_ntop(AF_INET, bytes.data() + 16, text, sizeof text);
  } else if (byte(13) == 0x21 && length >= 36) {
    inet_ntop(AF_INET6, bytes.data() + 16, text, sizeof text);
  } else {
    return bad_header("v2 header family is not TCP over IPv4 or IPv6");
  }
  read.source_ip = text;
  return read;
}

}  // namespace

ProxyRead read_proxy_header(std::string_view bytes) {
  if (bytes.empty()) return {};
  if (starts_like(bytes, kV2Signature)) return read_v2(bytes);
  if (starts_like(bytes, kV1Prefix)) {
    return bytes.size() < kV1Prefix.size() ? ProxyRead{} : read_v1(bytes);
  }
  return bad_header("not a PROXY protocol header");
}

}  // namespace relayaudit
