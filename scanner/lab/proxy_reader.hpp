// The lab's side of the PROXY protocol (haproxy proxy-protocol.txt): reads the v1 or v2 header
// a load balancer sends before anything else, as Postfix's smtpd_upstream_proxy_protocol does.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace relayaudit {

// A v2 header is at most 16 + 216 bytes here (TCP over IPv6 with TLVs); v1 at most 107.
inline constexpr std::size_t kMaxProxyHeaderBytes = 232;

struct ProxyRead {
  enum class State { incomplete, done, bad };
  State state = State::incomplete;
  std::string source_ip;     // the client it speaks for; empty for v2 LOCAL (keep the peer)
  std::size_t consumed = 0;  // header bytes, once done
  std::string problem;       // why it is bad
};

// Reads the header at the start of `bytes`, however the reads split it.
ProxyRead read_proxy_header(std::string_view bytes);

}  // namespace relayaudit
