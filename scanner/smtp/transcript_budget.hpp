// The bytes of transcript one endpoint may keep, shared by all of its connections.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace relayaudit {

class TranscriptBudget {
 public:
  // Past the cap a line keeps this many bytes: commands and reply codes stay readable.
  static constexpr std::size_t kLineHead = 96;

  explicit TranscriptBudget(std::size_t max_bytes) : left_(max_bytes), max_bytes_(max_bytes) {}

  struct Kept {
    std::string text;
    std::size_t cut = 0;  // bytes of the line that were not kept
  };
  // The line as it is kept: whole while the budget lasts, then only its head.
  Kept keep(std::string_view line);
  // The note that follows a cut line, for the transcript.
  std::string cut_note(std::size_t cut) const;
  // The note that stands for `lines` continuation lines left out once the cap was reached.
  std::string skip_note(std::size_t lines, std::size_t bytes);

  bool exhausted() const { return left_ == 0; }

  // The next line's number among every line of the endpoint (TranscriptLine::sequence): the
  // budget is shared by the endpoint's connections, so a test's copy names its line exactly.
  std::uint64_t number_line() { return ++lines_numbered_; }

  std::size_t max_bytes() const { return max_bytes_; }
  std::size_t bytes_cut() const { return cut_; }

 private:
  std::size_t left_;
  std::size_t max_bytes_;
  std::size_t cut_ = 0;
  std::uint64_t lines_numbered_ = 0;
};

}  // namespace relayaudit
