// What every session of one lab gateway shares: its identity, the options and the lab-wide state.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "lab/greylist.hpp"
#include "lab/lab_server.hpp"
#include "lab/peer_connections.hpp"
#include "tls/tls_context.hpp"

namespace relayaudit {

struct GatewayContext {
  std::size_t index = 0;  // position in LabServer::gateways()
  LabProfile profile = LabProfile::closed;
  std::string host_name;        // "closed-1.lab.relayaudit.test"
  std::string address_literal;  // "[127.0.0.1]" or "[IPv6:::1]", a local domain of the gateway
  std::vector<std::string> mail_domains;  // further local domains (it is their MX)
  const LabOptions& options;
  LabStats& stats;
  Greylist& greylist;
  const TlsContext* tls = nullptr;  // the lab's certificate, for the TLS profiles
  bool implicit_tls = false;        // TLS from the first byte (smtps, or a configured TLS profile)
  // Live state of this gateway that its sessions update through their const view of it.
  mutable PeerConnections peers;
};

}  // namespace relayaudit
