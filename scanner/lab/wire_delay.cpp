// Latency without threads or busy waits: a FIFO of due times that the session's one timer drains.
#include "lab/wire_delay.hpp"

#include <utility>

namespace relayaudit {

void WireDelay::push(std::string bytes, std::uint64_t now_ms) {
  // One more millisecond: `now_ms` may be up to a millisecond behind the real time of the write.
  const std::uint64_t due = now_ms + static_cast<std::uint64_t>(latency_.count()) + 1;
  bytes_ += bytes.size();
  // Writes of the same millisecond travel together: one timer wake and one write for a batch.
  if (!chunks_.empty() && chunks_.back().due_ms == due) {
    chunks_.back().bytes.append(bytes);
    return;
  }
  chunks_.push_back(Chunk{std::move(bytes), due});
}

std::string WireDelay::take_due(std::uint64_t now_ms) {
  std::string due;
  while (!chunks_.empty() && chunks_.front().due_ms <= now_ms) {
    if (due.empty()) {
      due = std::move(chunks_.front().bytes);
    } else {
      due.append(chunks_.front().bytes);
    }
    chunks_.pop_front();
  }
  bytes_ -= due.size();
  return due;
}

std::optional<std::uint64_t> WireDelay::next_due_ms() const {
  if (chunks_.empty()) return std::nullopt;
  return chunks_.front().due_ms;
}

}  // namespace relayaudit
