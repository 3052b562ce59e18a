// The PROXY protocol header (haproxy's proxy-protocol.txt, v1 text and v2 binary) that a load
// balancer writes before any other byte, naming the client it speaks for.
#pragma once

#include <cstdint>
#include <string>

#include <netinet/in.h>
#include <sys/socket.h>

#include "smtp/vantage.hpp"

namespace relayaudit {

struct ProxyHeader {
  std::string bytes;  // to write as the connection's first bytes, in one write
  std::string note;   // for the transcript: what it says, readable
};

// Source: the vantage's client at `source_port`; destination: the address we connected to. Mixed
// families are written as TCP6 with the IPv4 side mapped (::ffff:a.b.c.d).
ProxyHeader proxy_header(const Vantage& vantage, std::uint16_t source_port,
                         const sockaddr_storage& destination);

}  // namespace relayaudit
