// The global connection cap: sessions wait in FIFO order for a free slot.
#pragma once

#include <cstddef>
#include <deque>
#include <functional>

namespace relayaudit {

class ConnectionSlots {
 public:
  explicit ConnectionSlots(std::size_t capacity) : capacity_(capacity == 0 ? 1 : capacity) {}

  // Runs `granted` now if a slot is free, else once one is released.
  void acquire(std::function<void()> granted);
  void release();
  std::size_t in_use() const { return in_use_; }
  std::size_t waiting() const { return waiters_.size(); }

 private:
  std::size_t capacity_;
  std::size_t in_use_ = 0;
  std::deque<std::function<void()>> waiters_;
};

}  // namespace relayaudit
