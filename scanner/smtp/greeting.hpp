// Reading the EHLO/HELO reply: the server's domain and its capabilities from every line.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "smtp/reply.hpp"

namespace relayaudit {

// What the banner and EHLO/HELO reply told us about the server.
struct Greeting {
  Reply banner;
  Reply ehlo;                 // the EHLO (or HELO) reply
  bool used_helo = false;     // EHLO was refused with 5xx and HELO worked
  std::string server_domain;  // first word of the EHLO/HELO reply, if it looks like a domain
  std::vector<std::string> capabilities;  // EHLO keywords with parameters ("SIZE 10240000")
  bool pipelining = false;
  bool starttls = false;  // STARTTLS advertised (RFC 3207)
  bool tls = false;       // this EHLO went over TLS
};

// Fills server_domain, capabilities and pipelining of `greeting` from an EHLO/HELO reply.
void apply_greeting_reply(Greeting& greeting, const Reply& reply, bool used_helo);

// True for a plausible host name or address literal ("mx.example.com", "[192.0.2.1]").
bool looks_like_domain(std::string_view word);

}  // namespace relayaudit
