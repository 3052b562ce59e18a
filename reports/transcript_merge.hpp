// One transcript per endpoint: the endpoint's lines and each test's copies of its own lines,
// merged so that every line appears once and each test names its lines by position.
#pragma once

#include <cstddef>
#include <vector>

#include "smtp/transcript.hpp"

namespace relayaudit {

// `count` lines of the merged transcript from `first` (0-based) on.
struct LineRange {
  std::size_t first = 0;
  std::size_t count = 0;
};

// Where a merged line comes from: the endpoint transcript (`test` < 0) or a line that only a
// test's transcript holds (a note such as "reply stream out of sync"), by index in that list.
struct LineSource {
  int test = -1;
  std::size_t index = 0;
};

struct MergedTranscript {
  std::vector<LineSource> lines;               // in order: by session, then as recorded
  std::vector<std::vector<LineRange>> ranges;  // per test, ascending and coalesced
};

// A test line is the endpoint line with the same session and sequence when both are numbered,
// else the first unused endpoint line of the same session, time, direction and text at or after
// the test's previous line (tests claim lines in the order given, the order they were sent in).
// A test line found nowhere joins the transcript after its test's previous line and after the
// last line of its session recorded no later than it; equal extra lines of several tests are
// joined once.
MergedTranscript merge_transcripts(const Transcript& endpoint,
                                   const std::vector<const Transcript*>& tests);

}  // namespace relayaudit
