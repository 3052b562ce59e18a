// Building the XCLIENT command from the vantage and the attributes the server advertised.
#include "smtp/xclient.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>

namespace relayaudit {
namespace {

std::string upper_ascii(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return out;
}

}  // namespace

std::optional<std::vector<std::string>> advertised_xclient(const Greeting& greeting) {
  for (const std::string& capability : greeting.capabilities) {
    const std::string upper = upper_ascii(capability);
    if (upper != "XCLIENT" && upper.rfind("XCLIENT ", 0) != 0) continue;
    std::vector<std::string> attributes;
    std::size_t pos = 7;
    while (pos < upper.size()) {
      const std::size_t start = upper.find_first_not_of(' ', pos);
      if (start == std::string::npos) break;
      const std::size_t end = std::min(upper.find(' ', start), upper.size());
      attributes.push_back(upper.substr(start, end - start));
      pos = end;
    }
    return attributes;
  }
  return std::nullopt;
}

std::string xtext(std::string_view value) {
  std::string out;
  for (const char c : value) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < '!' || byte > '~' || c == '+' || c == '=') {
      char hex[4];
      std::snprintf(hex, sizeof hex, "+%02X", byte);
      out += hex;
    } else {
      out += c;
    }
  }
  return out;
}

std::optional<std::string> xclient_command(const Vantage& vantage,
                                           const std::vector<std::string>& attributes,
                                           std::string_view helo_name, std::string& problem) {
  const auto offered = [&](std::string_view name) {
    return std::find(attributes.begin(), attributes.end(), name) != attributes.end();
  };
  if (!offered("ADDR")) {
    problem = "the server's XCLIENT does not take ADDR";
    return std::nullopt;
  }
  std::string command =
      "XCLIENT ADDR=" + xtext((vantage.client_ipv6 ? "IPV6:" : "") + vantage.client);
  // [UNAVAILABLE]: the name lookup found nothing, as for an outsider without reverse DNS.
  if (offered("NAME")) command += " NAME=[UNAVAILABLE]";
  if (offered("REVERSE_NAME")) command += " REVERSE_NAME=[UNAVAILABLE]";
  if (offered("HELO")) command += " HELO=" + xtext(helo_name);
  return command;
}

}  // namespace relayaudit
