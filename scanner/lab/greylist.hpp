// The greylisting memory of the lab: when each (gateway, client, sender, recipient) was first seen.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/duration.hpp"

namespace relayaudit {

struct GreylistTriplet {
  std::size_t gateway = 0;  // gateways do not share their memory, like separate postgrey hosts
  std::string_view client_ip;
  std::string_view sender;
  std::string_view recipient;
};

class Greylist {
 public:
  // Records the triplet on first sight; true once it was first seen at least `window` ago.
  bool passes(const GreylistTriplet& triplet, std::uint64_t now_ms, Millis window);

 private:
  // Bounded so a scan of many addresses cannot grow the lab without limit; a full table is
  // forgotten at once, which only makes senders retry again, as after a postgrey restart.
  static constexpr std::size_t kMaxEntries = 65536;
  std::unordered_map<std::string, std::uint64_t> first_seen_ms_;
};

}  // namespace relayaudit
