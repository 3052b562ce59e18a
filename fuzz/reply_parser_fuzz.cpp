// libFuzzer harness: ReplyParser::feed must give the same replies and error however TCP splits
// the stream. The first byte picks the limits and how many chunk sizes follow; then the stream.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "smtp/reply_parser.hpp"

namespace {

using relayaudit::Reply;
using relayaudit::ReplyLimits;
using relayaudit::ReplyParser;

void require(bool condition, const char* what) {
  if (condition) return;
  std::fprintf(stderr, "reply parser invariant violated: %s\n", what);
  std::abort();
}

bool same(const Reply& a, const Reply& b) {
  return a.code == b.code && a.enhanced == b.enhanced && a.lines == b.lines;
}

struct Parsed {
  std::vector<Reply> replies;
  ReplyParser::Error error = ReplyParser::Error::none;
  bool mid_reply = false;
};

Parsed feed_in_chunks(std::string_view stream, const std::vector<std::size_t>& sizes,
                      const ReplyLimits& limits) {
  ReplyParser parser(limits);
  Parsed parsed;
  std::size_t next = 0;
  while (!stream.empty()) {
    const std::size_t size = sizes.empty() ? stream.size() : sizes[next++ % sizes.size()];
    const auto chunk = stream.substr(0, size);
    stream.remove_prefix(chunk.size());
    const bool ok = parser.feed(chunk, parsed.replies);
    require(ok == (parser.error() == ReplyParser::Error::none), "feed result matches error()");
  }
  parsed.error = parser.error();
  parsed.mid_reply = parser.mid_reply();
  require(!parser.error_message().empty() || parsed.error == ReplyParser::Error::none,
          "every error has a message");
  return parsed;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t control = data[0];
  // Small limits in half the runs, so the bounds are reached with small inputs.
  const ReplyLimits limits = (control & 0x80) != 0 ? ReplyLimits{64, 4, 160} : ReplyLimits{};
  const std::size_t chunk_count = std::min<std::size_t>(control & 0x0f, size - 1);
  std::vector<std::size_t> sizes;
  for (std::size_t i = 0; i < chunk_count; ++i) sizes.push_back(data[1 + i] % 64 + 1);
  const std::string_view stream(reinterpret_cast<const char*>(data) + 1 + chunk_count,
                                size - 1 - chunk_count);

  const Parsed whole = feed_in_chunks(stream, {}, limits);
  const Parsed split = feed_in_chunks(stream, sizes, limits);
  const Parsed bytewise = feed_in_chunks(stream, {1}, limits);
  for (const Parsed* other : {&split, &bytewise}) {
    require(other->error == whole.error, "same error however the stream is split");
    require(other->replies.size() == whole.replies.size(), "same number of replies");
    for (std::size_t i = 0; i < whole.replies.size(); ++i) {
      require(same(other->replies[i], whole.replies[i]), "same replies");
    }
    if (whole.error == ReplyParser::Error::none) {
      require(other->mid_reply == whole.mid_reply, "same unfinished state");
    }
  }
  for (const Reply& reply : whole.replies) {
    require(reply.code >= 100 && reply.code <= 999, "a reply code has three digits");
    require(!reply.lines.empty() && reply.lines.size() <= limits.max_lines, "line count bounded");
    std::size_t bytes = 0;
    for (const auto& line : reply.lines) {
      require(line.size() <= limits.max_line, "line length bounded");
      bytes += line.size();
    }
    require(bytes <= limits.max_reply_bytes, "reply size bounded");
  }
  return 0;
}
