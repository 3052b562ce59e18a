// Per-address connection counts: what connection-limit enforces and the lab's stats report.
#include "lab/peer_connections.hpp"

namespace relayaudit {

int PeerConnections::open_from(const std::string& ip) const {
  const auto found = open_.find(ip);
  return found == open_.end() ? 0 : found->second;
}

int PeerConnections::add(const std::string& ip) {
  return ++open_[ip];
}

void PeerConnections::remove(const std::string& ip) {
  const auto found = open_.find(ip);
  if (found == open_.end()) return;
  if (--found->second <= 0) open_.erase(found);
}

}  // namespace relayaudit
