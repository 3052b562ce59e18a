// Incremental, bounded parser of SMTP replies (RFC 5321 §4.2): fed arbitrary chunks.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "smtp/reply.hpp"

namespace relayaudit {

struct ReplyLimits {
  std::size_t max_line = 4096;          // RFC 5321 allows 512; real servers stay far below 4096
  std::size_t max_lines = 256;          // continuation lines of one reply
  std::size_t max_reply_bytes = 65536;  // all lines of one reply together
};

class ReplyParser {
 public:
  enum class Error {
    none,
    line_too_long,
    too_many_lines,
    reply_too_large,
    malformed_line,
    code_mismatch
  };

  explicit ReplyParser(ReplyLimits limits = {}) : limits_(limits) {}

  // Appends every reply completed by `bytes` to `out`. Returns false once a protocol error is
  // found; the error is sticky and later input is ignored.
  bool feed(std::string_view bytes, std::vector<Reply>& out);

  Error error() const { return error_; }
  std::string error_message() const;

  // True when bytes of an unfinished reply are buffered (a close now truncates a reply).
  bool mid_reply() const { return !partial_.empty() || !pending_.lines.empty(); }
  // Lines of the unfinished reply and the unfinished line, kept for the transcript on errors.
  const std::vector<std::string>& pending_lines() const { return pending_.lines; }
  const std::string& partial_line() const { return partial_; }

 private:
  bool take_line(std::string_view line, std::vector<Reply>& out);
  bool fail(Error error);

  ReplyLimits limits_;
  std::string partial_;  // bytes after the last LF
  Reply pending_;        // continuation lines received so far
  std::size_t pending_bytes_ = 0;
  Error error_ = Error::none;
};

// "5.7.1" when `text` starts with an RFC 3463 code whose class matches `code`, else "".
std::string parse_enhanced_code(int code, std::string_view text);

}  // namespace relayaudit
