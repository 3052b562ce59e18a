// Endpoint identity: the "address:port" key that deduplicates endpoints reached by several targets.
#include "targets/target.hpp"

namespace relayaudit {

std::string Endpoint::key() const {
  const std::string port_text = std::to_string(port);
  // Brackets keep the port separable from an IPv6 address's own colons.
  if (ipv6) return "[" + address + "]:" + port_text;
  return address + ":" + port_text;
}

}  // namespace relayaudit
