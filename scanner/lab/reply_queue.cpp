// The ordered, delay-aware and bounded output queue of a lab session.
#include "lab/reply_queue.hpp"

#include <algorithm>
#include <utility>

namespace relayaudit {

bool ReplyQueue::push(std::string bytes, std::uint64_t now_ms, Millis delay, std::size_t in_flight,
                      bool final_greeting) {
  if (bytes_ + in_flight + bytes.size() > max_bytes_) return false;
  std::uint64_t ready = std::max(now_ms, last_ready_ms_) +
                        static_cast<std::uint64_t>(std::max<Millis::rep>(0, delay.count()));
  last_ready_ms_ = ready;
  bytes_ += bytes.size();
  items_.push_back(Item{std::move(bytes), ready, final_greeting});
  return true;
}

ReplyQueue::Due ReplyQueue::take_due(std::uint64_t now_ms) {
  Due due;
  while (!items_.empty() && items_.front().ready_ms <= now_ms) {
    Item& item = items_.front();
    due.final_greeting = due.final_greeting || item.final_greeting;
    bytes_ -= item.bytes.size();
    due.bytes.append(item.bytes);
    items_.pop_front();
  }
  return due;
}

void ReplyQueue::clear() {
  items_.clear();
  bytes_ = 0;
  last_ready_ms_ = 0;
}

std::optional<std::uint64_t> ReplyQueue::next_ready_ms() const {
  if (items_.empty()) return std::nullopt;
  return items_.front().ready_ms;
}

}  // namespace relayaudit
