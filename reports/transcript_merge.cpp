// Merging the per-test copies of transcript lines into the endpoint transcript.
#include "reports/transcript_merge.hpp"

#include <algorithm>
#include <functional>
#include <numeric>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <utility>

namespace relayaudit {
namespace {

// What identifies a copy of a line that carries no sequence number.
struct LineKey {
  const TranscriptLine* line;
};

struct LineKeyHash {
  std::size_t operator()(const LineKey& key) const {
    std::size_t hash = std::hash<std::string_view>()(key.line->line);
    const auto mix = [&hash](std::size_t value) {
      hash ^= value + 0x9e3779b97f4a7c15ULL + (hash << 6) + (hash >> 2);
    };
    mix(static_cast<std::size_t>(key.line->session));
    mix(static_cast<std::size_t>(key.line->at_ms));
    mix(static_cast<std::size_t>(key.line->direction));
    return hash;
  }
};

struct LineKeyEqual {
  bool operator()(const LineKey& a, const LineKey& b) const {
    return a.line->session == b.line->session && a.line->at_ms == b.line->at_ms &&
           a.line->direction == b.line->direction && a.line->line == b.line->line;
  }
};

// Endpoint positions (in merged order) of equal lines, ascending; `unused` skips claimed ones.
struct Candidates {
  std::vector<std::size_t> positions;
  std::size_t unused = 0;
};

// An extra line's place: after `anchor` endpoint lines, then in the order extras were added.
struct Extra {
  int test = 0;
  std::size_t index = 0;
  std::size_t anchor = 0;
};

class Merger {
 public:
  Merger(const Transcript& endpoint, const std::vector<const Transcript*>& tests)
      : endpoint_(endpoint), tests_(tests), order_(endpoint.size()), used_(endpoint.size()) {
    std::iota(order_.begin(), order_.end(), std::size_t{0});
    // Parallel connections append their lines as each one ends: grouped by session again.
    std::stable_sort(order_.begin(), order_.end(), [&](std::size_t a, std::size_t b) {
      return endpoint_[a].session < endpoint_[b].session;
    });
    // Sequence numbers are unique per endpoint and dense (1..lines recorded): a table finds a
    // numbered copy at once. Sparse numbers (a hostile document) are matched by text instead.
    std::uint64_t highest = 0;
    for (const TranscriptLine& line : endpoint_) highest = std::max(highest, line.sequence);
    if (highest > 0 && highest <= 4 * std::uint64_t{endpoint_.size()} + 64) {
      by_sequence_.assign(highest + 1, kNone);
      for (std::size_t position = 0; position < order_.size(); ++position) {
        const std::uint64_t sequence = endpoint_[order_[position]].sequence;
        if (sequence != 0 && by_sequence_[sequence] == kNone) by_sequence_[sequence] = position;
      }
    }
  }

  MergedTranscript run() {
    // Endpoint position of each test line, or an extra (kExtra + extra id).
    std::vector<std::vector<std::size_t>> placed(tests_.size());
    for (std::size_t t = 0; t < tests_.size(); ++t) placed[t] = place_test(static_cast<int>(t));
    return emit(placed);
  }

 private:
  static constexpr std::size_t kExtra = std::size_t{1} << (sizeof(std::size_t) * 8 - 1);

  std::vector<std::size_t> place_test(int test) {
    std::vector<std::size_t> placed;
    std::vector<std::size_t> own_extras;
    std::size_t next_allowed = 0;  // a test's lines follow one another in the transcript
    for (std::size_t i = 0; i < tests_[test]->size(); ++i) {
      const TranscriptLine& line = (*tests_[test])[i];
      if (auto position = claim(line, next_allowed)) {
        placed.push_back(*position);
        next_allowed = *position + 1;
        continue;
      }
      const std::size_t extra = extra_for(test, i, next_allowed, own_extras);
      own_extras.push_back(extra);
      next_allowed = std::max(next_allowed, extras_[extra].anchor);
      placed.push_back(kExtra + extra);
    }
    return placed;
  }

  std::optional<std::size_t> claim(const TranscriptLine& line, std::size_t next_allowed) {
    if (line.sequence != 0 && line.sequence < by_sequence_.size()) {
      const std::size_t position = by_sequence_[line.sequence];
      if (position != kNone && !used_[position] &&
          endpoint_[order_[position]].session == line.session) {
        used_[position] = true;
        return position;
      }
    }
    // Lines without a number (documents read back, 1.x): matched by their text, indexed once.
    if (!text_indexed_) index_by_text();
    const auto found = by_text_.find(LineKey{&line});
    if (found == by_text_.end()) return std::nullopt;
    Candidates& candidates = found->second;
    while (candidates.unused < candidates.positions.size() &&
           used_[candidates.positions[candidates.unused]]) {
      ++candidates.unused;
    }
    auto at = std::lower_bound(candidates.positions.begin() + candidates.unused,
                               candidates.positions.end(), next_allowed);
    for (; at != candidates.positions.end(); ++at) {
      if (!used_[*at]) {
        used_[*at] = true;
        return *at;
      }
    }
    return std::nullopt;
  }

  void index_by_text() {
    text_indexed_ = true;
    for (std::size_t position = 0; position < order_.size(); ++position) {
      by_text_[LineKey{&endpoint_[order_[position]]}].positions.push_back(position);
    }
  }

  // An extra equal to one another test added is shared; otherwise a new one is placed.
  std::size_t extra_for(int test, std::size_t index, std::size_t next_allowed,
                        const std::vector<std::size_t>& own) {
    const TranscriptLine& line = (*tests_[test])[index];
    auto& equal = extra_by_text_[LineKey{&line}];
    for (std::size_t extra : equal) {
      if (std::find(own.begin(), own.end(), extra) == own.end()) return extra;
    }
    extras_.push_back(Extra{test, index, std::max(next_allowed, recorded_before(line))});
    equal.push_back(extras_.size() - 1);
    return extras_.size() - 1;
  }

  // How many endpoint lines come before `line`: earlier sessions, and lines of its own session
  // recorded no later than it.
  std::size_t recorded_before(const TranscriptLine& line) const {
    const auto session_end = std::partition_point(order_.begin(), order_.end(), [&](std::size_t i) {
      return endpoint_[i].session <= line.session;
    });
    auto at = session_end;
    while (at != order_.begin()) {
      const TranscriptLine& previous = endpoint_[*std::prev(at)];
      if (previous.session != line.session || previous.at_ms <= line.at_ms) break;
      --at;
    }
    return static_cast<std::size_t>(at - order_.begin());
  }

  MergedTranscript emit(const std::vector<std::vector<std::size_t>>& placed) const {
    std::vector<std::vector<std::size_t>> extras_at(order_.size() + 1);
    for (std::size_t e = 0; e < extras_.size(); ++e) extras_at[extras_[e].anchor].push_back(e);
    MergedTranscript merged;
    std::vector<std::size_t> final_of_position(order_.size());
    std::vector<std::size_t> final_of_extra(extras_.size());
    for (std::size_t anchor = 0; anchor <= order_.size(); ++anchor) {
      for (std::size_t e : extras_at[anchor]) {
        final_of_extra[e] = merged.lines.size();
        merged.lines.push_back(LineSource{extras_[e].test, extras_[e].index});
      }
      if (anchor == order_.size()) break;
      final_of_position[anchor] = merged.lines.size();
      merged.lines.push_back(LineSource{-1, order_[anchor]});
    }
    for (const auto& positions : placed) {
      std::vector<std::size_t> finals;
      finals.reserve(positions.size());
      for (std::size_t p : positions) {
        finals.push_back(p >= kExtra ? final_of_extra[p - kExtra] : final_of_position[p]);
      }
      std::sort(finals.begin(), finals.end());
      finals.erase(std::unique(finals.begin(), finals.end()), finals.end());
      std::vector<LineRange> ranges;
      for (std::size_t index : finals) {
        if (!ranges.empty() && ranges.back().first + ranges.back().count == index) {
          ++ranges.back().count;
        } else {
          ranges.push_back(LineRange{index, 1});
        }
      }
      merged.ranges.push_back(std::move(ranges));
    }
    return merged;
  }

  const Transcript& endpoint_;
  const std::vector<const Transcript*>& tests_;
  std::vector<std::size_t> order_;  // endpoint line indices in merged order
  std::vector<bool> used_;          // by position in order_
  static constexpr std::size_t kNone = static_cast<std::size_t>(-1);
  std::vector<std::size_t> by_sequence_;  // sequence -> first position holding it, or kNone
  bool text_indexed_ = false;
  std::unordered_map<LineKey, Candidates, LineKeyHash, LineKeyEqual> by_text_;
  std::vector<Extra> extras_;
  std::unordered_map<LineKey, std::vector<std::size_t>, LineKeyHash, LineKeyEqual> extra_by_text_;
};

}  // namespace

MergedTranscript merge_transcripts(const Transcript& endpoint,
                                   const std::vector<const Transcript*>& tests) {
  return Merger(endpoint, tests).run();
}

}  // namespace relayaudit
