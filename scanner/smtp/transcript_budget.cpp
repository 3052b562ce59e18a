// Per-endpoint transcript cap: a server of 60 KB replies cannot make one endpoint cost megabytes.
#include "smtp/transcript_budget.hpp"

#include <algorithm>

namespace relayaudit {

TranscriptBudget::Kept TranscriptBudget::keep(std::string_view line) {
  if (line.size() <= left_) {
    left_ -= line.size();
    return Kept{std::string(line), 0};
  }
  const std::size_t head = std::max(left_, std::min(line.size(), kLineHead));
  left_ -= std::min(left_, head);
  const std::size_t cut = line.size() - head;
  cut_ += cut;
  return Kept{std::string(line.substr(0, head)), cut};
}

std::string TranscriptBudget::cut_note(std::size_t cut) const {
  return "transcript cap: " + std::to_string(cut) + " more bytes of that line not kept";
}

std::string TranscriptBudget::skip_note(std::size_t lines, std::size_t bytes) {
  cut_ += bytes;
  return "transcript cap: " + std::to_string(lines) + " continuation lines (" +
         std::to_string(bytes) + " bytes) not kept";
}

}  // namespace relayaudit
