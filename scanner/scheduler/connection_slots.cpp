// FIFO slot hand-off for the global connection cap.
#include "scheduler/connection_slots.hpp"

namespace relayaudit {

void ConnectionSlots::acquire(std::function<void()> granted) {
  if (in_use_ < capacity_) {
    ++in_use_;
    granted();
    return;
  }
  waiters_.push_back(std::move(granted));
}

void ConnectionSlots::release() {
  if (!waiters_.empty()) {
    // The slot passes straight to the next waiter; in_use_ stays the same.
    auto next = std::move(waiters_.front());
    waiters_.pop_front();
    next();
    return;
  }
  if (in_use_ > 0) --in_use_;
}

}  // namespace relayaudit
