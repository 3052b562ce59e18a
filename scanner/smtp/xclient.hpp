// Postfix XCLIENT (www.postfix.org/XCLIENT_README.html): the command that makes the server judge
// the rest of the session as if it came from another client address.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "smtp/greeting.hpp"
#include "smtp/vantage.hpp"

namespace relayaudit {

// The attribute names after "XCLIENT" in the EHLO reply (upper case), or nullopt when the server
// does not offer XCLIENT.
std::optional<std::vector<std::string>> advertised_xclient(const Greeting& greeting);

// RFC 3461 xtext: '+', '=' and bytes outside '!'..'~' become "+XX".
std::string xtext(std::string_view value);

// "XCLIENT ADDR=203.0.113.7 NAME=[UNAVAILABLE] HELO=scanner.example" with only the advertised
// attributes, or nullopt (and `problem`) when ADDR is not among them. NAME and REVERSE_NAME are
// reset too: an attribute left out keeps our own value, and a trusted name could still relay.
std::optional<std::string> xclient_command(const Vantage& vantage,
                                           const std::vector<std::string>& attributes,
                                           std::string_view helo_name, std::string& problem);

}  // namespace relayaudit
