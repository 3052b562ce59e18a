// Address formatting shared by gateway targets, error messages and local-domain checks.
#include "lab/lab_endpoint.hpp"

namespace relayaudit {

bool is_ipv6_literal(std::string_view address) {
  return address.find(':') != std::string_view::npos;
}

std::string format_endpoint(std::string_view address, std::uint16_t port) {
  std::string text;
  if (is_ipv6_literal(address)) {
    text.append("[").append(address).append("]");
  } else {
    text.append(address);
  }
  return text.append(":").append(std::to_string(port));
}

std::string smtp_address_literal(std::string_view address) {
  std::string literal = is_ipv6_literal(address) ? "[IPv6:" : "[";
  return literal.append(address).append("]");
}

}  // namespace relayaudit
