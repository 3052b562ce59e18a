// Reading the EHLO/HELO reply: the server's domain and its capabilities from every line.
#pragma once

#include <string>
#include <string_view>

#include "scheduler/audit_result.hpp"
#include "smtp/reply.hpp"

namespace relayaudit {

// Fills server_domain, capabilities and pipelining of `greeting` from an EHLO/HELO reply.
void apply_greeting_reply(Greeting& greeting, const Reply& reply, bool used_helo);

// True for a plausible host name or address literal ("mx.example.com", "[192.0.2.1]").
bool looks_like_domain(std::string_view word);

}  // namespace relayaudit
