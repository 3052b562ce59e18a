// XCLIENT argument parsing (NAME=VALUE pairs, xtext values) for the lab's trusting profiles.
#include "lab/xclient_request.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cctype>

namespace relayaudit {
namespace {

// RFC 3461 xtext: "+XX" is one byte in hex; nullopt when a '+' is not followed by two hex digits.
std::optional<std::string> xtext_decode(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '+') {
      out += text[i];
      continue;
    }
    if (i + 2 >= text.size() || !std::isxdigit(static_cast<unsigned char>(text[i + 1])) ||
        !std::isxdigit(static_cast<unsigned char>(text[i + 2]))) {
      return std::nullopt;
    }
    out += static_cast<char>(std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16));
    i += 2;
  }
  return out;
}

bool iequal_ascii(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::toupper(static_cast<unsigned char>(a[i])) !=
        std::toupper(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

bool known_attribute(std::string_view name) {
  for (std::string_view known :
       {"NAME", "ADDR", "PORT", "PROTO", "HELO", "LOGIN", "DESTADDR", "DESTPORT", "REVERSE_NAME"}) {
    if (iequal_ascii(name, known)) return true;
  }
  return false;
}

}  // namespace

XclientRequest parse_xclient_request(std::string_view arguments) {
  XclientRequest request;
  if (arguments.empty()) {
    request.error = "501 5.5.4 Syntax: XCLIENT attribute=value...";
    return request;
  }
  std::size_t pos = 0;
  while (pos < arguments.size()) {
    const std::size_t end = std::min(arguments.find(' ', pos), arguments.size());
    const std::string_view pair = arguments.substr(pos, end - pos);
    pos = end + 1;
    if (pair.empty()) continue;
    const std::size_t equals = pair.find('=');
    const std::string_view name = pair.substr(0, equals);
    if (equals == std::string_view::npos || !known_attribute(name)) {
      request.error = "501 5.5.4 Bad XCLIENT attribute name: " + std::string(name);
      return request;
    }
    auto value = xtext_decode(pair.substr(equals + 1));
    if (!value) {
      request.error = "501 5.5.4 Bad " + std::string(name) + " syntax";
      return request;
    }
    if (iequal_ascii(name, "ADDR")) {
      std::string address = *value;
      const bool v6 = address.size() > 5 && iequal_ascii(address.substr(0, 5), "IPV6:");
      if (v6) address.erase(0, 5);
      std::array<unsigned char, 16> bytes{};
      if (inet_pton(v6 ? AF_INET6 : AF_INET, address.c_str(), bytes.data()) != 1) {
        request.error = "501 5.5.4 Bad ADDR syntax: " + *value;
        return request;
      }
      request.addr = address;
    } else if (iequal_ascii(name, "HELO")) {
      request.helo = *value;
    }
  }
  return request;
}

bool is_loopback_client(std::string_view ip) {
  return ip.starts_with("127.") || ip == "::1" || ip.starts_with("::ffff:127.");
}

}  // namespace relayaudit
