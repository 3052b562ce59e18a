// Output waiting for its time: delayed replies keep their order and the backlog stays bounded.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>

#include "core/duration.hpp"

namespace relayaudit {

class ReplyQueue {
 public:
  struct Due {
    std::string bytes;            // every item that is due, concatenated for one write
    bool final_greeting = false;  // the final greeting line is among them
  };

  explicit ReplyQueue(std::size_t max_bytes) : max_bytes_(max_bytes) {}

  // Queues `bytes` due `delay` after the previous item (or now), so delays add up in order.
  // False, queuing nothing, when it and `in_flight` unwritten bytes would pass max_bytes.
  bool push(std::string bytes, std::uint64_t now_ms, Millis delay, std::size_t in_flight,
            bool final_greeting = false);
  Due take_due(std::uint64_t now_ms);
  // Forgets everything queued, e.g. a greeting that a pregreet client will never get.
  void clear();

  bool empty() const { return items_.empty(); }
  std::optional<std::uint64_t> next_ready_ms() const;
  std::uint64_t last_ready_ms() const { return last_ready_ms_; }

 private:
  struct Item {
    std::string bytes;
    std::uint64_t ready_ms;
    bool final_greeting;
  };

  std::size_t max_bytes_;
  std::deque<Item> items_;
  std::size_t bytes_ = 0;
  std::uint64_t last_ready_ms_ = 0;
};

}  // namespace relayaudit
