// The connections one lab gateway has open, counted per client address.
#pragma once

#include <string>
#include <unordered_map>

namespace relayaudit {

class PeerConnections {
 public:
  int open_from(const std::string& ip) const;
  // Counts one more connection from `ip`; returns how many are open from it now.
  int add(const std::string& ip);
  void remove(const std::string& ip);

 private:
  std::unordered_map<std::string, int> open_;  // addresses with none open are erased
};

}  // namespace relayaudit
