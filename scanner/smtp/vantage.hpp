// Where the audit speaks from: our own address, or a client address the server is asked to
// assume (Postfix XCLIENT, or a PROXY protocol header as a load balancer sends it).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace relayaudit {

enum class VantageMode { direct, xclient, proxy_v1, proxy_v2 };

struct Vantage {
  VantageMode mode = VantageMode::direct;
  std::string client;  // canonical IP text ("203.0.113.7", "2001:db8::7"); empty when direct
  bool client_ipv6 = false;

  bool simulated() const { return mode != VantageMode::direct; }
};

// "direct", "xclient", "proxy-v1", "proxy-v2": the results document's run.vantage.mode.
std::string_view to_string(VantageMode mode);

// The address as a Vantage client, or why it is not an IP address.
struct ParsedClient {
  std::string canonical;
  bool ipv6 = false;
};
std::optional<ParsedClient> parse_vantage_client(std::string_view text, std::string& problem);

// One line for people: "direct (the scanner's own address)", "xclient as 203.0.113.7".
std::string describe_vantage(const Vantage& vantage);

}  // namespace relayaudit
