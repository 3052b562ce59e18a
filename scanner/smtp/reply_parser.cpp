// Incremental SMTP reply parsing: line splitting, multi-line assembly, limits.
#include "smtp/reply_parser.hpp"

#include <cstring>

namespace relayaudit {
namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// Digits of one enhanced-code field: 1 to 3 digits, then `terminator`-like end.
std::size_t digit_run(std::string_view text, std::size_t from) {
  std::size_t at = from;
  while (at < text.size() && is_digit(text[at]) && at - from < 4) ++at;
  return at - from;
}

}  // namespace

std::string parse_enhanced_code(int code, std::string_view text) {
  // class.subject.detail; class must agree with the reply code's first digit (RFC 3463 §2).
  if (text.size() < 5 || text[0] != static_cast<char>('0' + code / 100) || text[1] != '.')
    return {};
  std::size_t at = 2;
  const std::size_t subject = digit_run(text, at);
  if (subject == 0 || subject > 3) return {};
  at += subject;
  if (at >= text.size() || text[at] != '.') return {};
  ++at;
  const std::size_t detail = digit_run(text, at);
  if (detail == 0 || detail > 3) return {};
  at += detail;
  if (at < text.size() && text[at] != ' ') return {};
  return std::string(text.substr(0, at));
}

bool ReplyParser::fail(Error error) {
  error_ = error;
  return false;
}

bool ReplyParser::feed(std::string_view bytes, std::vector<Reply>& out) {
  if (error_ != Error::none) return false;
  while (!bytes.empty()) {
    const void* found = std::memchr(bytes.data(), '\n', bytes.size());
    if (found == nullptr) {
      if (partial_.size() + bytes.size() > limits_.max_line) return fail(Error::line_too_long);
      partial_.append(bytes);
      return true;
    }
    const auto length = static_cast<std::size_t>(static_cast<const char*>(found) - bytes.data());
    std::string_view line = bytes.substr(0, length);
    bytes.remove_prefix(length + 1);
    if (partial_.size() + line.size() > limits_.max_line) return fail(Error::line_too_long);
    if (!partial_.empty()) {
      partial_.append(line);
      std::string whole;
      whole.swap(partial_);
      if (!take_line(whole, out)) return false;
    } else if (!take_line(line, out)) {
      return false;
    }
  }
  return true;
}

bool ReplyParser::take_line(std::string_view line, std::vector<Reply>& out) {
  // CRLF is the standard ending; a bare LF is tolerated because some servers send it.
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (line.size() < 3 || !is_digit(line[0]) || !is_digit(line[1]) || !is_digit(line[2]) ||
      line[0] < '1' || line[0] > '5') {
    pending_.lines.emplace_back(line);
    return fail(Error::malformed_line);
  }
  const char separator = line.size() > 3 ? line[3] : ' ';
  if (separator != ' ' && separator != '-') {
    pending_.lines.emplace_back(line);
    return fail(Error::malformed_line);
  }
  const int code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
  if (pending_.lines.empty()) {
    pending_.code = code;
    pending_.enhanced = parse_enhanced_code(code, line.size() > 4 ? line.substr(4) : "");
  } else if (code != pending_.code) {
    pending_.lines.emplace_back(line);
    return fail(Error::code_mismatch);
  }
  if (pending_.lines.size() >= limits_.max_lines) return fail(Error::too_many_lines);
  pending_bytes_ += line.size();
  if (pending_bytes_ > limits_.max_reply_bytes) return fail(Error::reply_too_large);
  pending_.lines.emplace_back(line);
  if (separator == '-') return true;
  out.push_back(std::move(pending_));
  pending_ = Reply{};
  pending_bytes_ = 0;
  return true;
}

std::string ReplyParser::error_message() const {
  switch (error_) {
    case Error::none:
      return "";
    case Error::line_too_long:
      return "reply line longer than " + std::to_string(limits_.max_line) + " bytes";
    case Error::too_many_lines:
      return "reply with more than " + std::to_string(limits_.max_lines) + " lines";
    case Error::reply_too_large:
      return "reply larger than " + std::to_string(limits_.max_reply_bytes) + " bytes";
    case Error::malformed_line:
      return "reply line does not start with a 3-digit code";
    case Error::code_mismatch:
      return "continuation line with a different reply code";
  }
  return "protocol error";
}

}  // namespace relayaudit
