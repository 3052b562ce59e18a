// The simulated network path of one lab session: bytes arrive in order, each a fixed latency
// after the gateway wrote it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>

#include "core/duration.hpp"

namespace relayaudit {

class WireDelay {
 public:
  explicit WireDelay(Millis latency) : latency_(latency) {}

  // With no latency, bytes go to the socket at once and never enter the path.
  bool active() const { return latency_.count() > 0; }
  // Bytes written at `now_ms` (a whole millisecond, rounded down) leave at least `latency` later.
  void push(std::string bytes, std::uint64_t now_ms);
  // Everything due by `now_ms`, in order, for one write; "" when nothing is due.
  std::string take_due(std::uint64_t now_ms);
  std::optional<std::uint64_t> next_due_ms() const;
  std::size_t bytes() const { return bytes_; }

 private:
  struct Chunk {
    std::string bytes;
    std::uint64_t due_ms;
  };

  Millis latency_;
  std::deque<Chunk> chunks_;
  std::size_t bytes_ = 0;
};

}  // namespace relayaudit
