// Greylisting triplet memory: first-seen times keyed case-insensitively like postgrey.
#include "lab/greylist.hpp"

#include "lab/mail_address.hpp"

namespace relayaudit {

bool Greylist::passes(const GreylistTriplet& triplet, std::uint64_t now_ms, Millis window) {
  std::string key = std::to_string(triplet.gateway);
  key.append(1, '\0').append(triplet.client_ip);
  key.append(1, '\0').append(to_lower(triplet.sender));
  key.append(1, '\0').append(to_lower(triplet.recipient));
  auto found = first_seen_ms_.find(key);
  if (found == first_seen_ms_.end()) {
    if (first_seen_ms_.size() >= kMaxEntries) first_seen_ms_.clear();
    first_seen_ms_.emplace(std::move(key), now_ms);
    return window.count() <= 0;
  }
  return now_ms - found->second >= static_cast<std::uint64_t>(window.count());
}

}  // namespace relayaudit
