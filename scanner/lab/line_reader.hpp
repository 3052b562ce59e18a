// Splits a TCP byte stream into bounded lines (CRLF or bare LF), wherever the reads were split.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace relayaudit {

class LineReader {
 public:
  enum class Event {
    line,      // a complete line, without its CR LF
    overlong,  // a line longer than max_line; the reader drops the rest up to the next LF
  };

  explicit LineReader(std::size_t max_line) : max_line_(max_line) {}

  // Calls on_event(Event, std::string_view) for every line completed by `data`, in order;
  // stops when it returns false (the session is over, the rest of the input is moot).
  // The view is valid only during the call.
  template <typename OnEvent>
  void feed(std::string_view data, OnEvent&& on_event) {
    std::size_t pos = 0;
    while (pos < data.size()) {
      std::size_t lf = data.find('\n', pos);
      bool complete = lf != std::string_view::npos;
      std::string_view piece = data.substr(pos, (complete ? lf : data.size()) - pos);
      pos = complete ? lf + 1 : data.size();
      if (discarding_) {
        discarding_ = !complete;
        continue;
      }
      // One byte of slack keeps the CR of a max_line line; the buffer never grows past it.
      if (partial_.size() + piece.size() > max_line_ + 1) {
        partial_.clear();
        discarding_ = !complete;
        if (!on_event(Event::overlong, std::string_view{})) return;
        continue;
      }
      partial_.append(piece);
      if (!complete) return;
      std::string_view line = partial_;
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      bool keep_going = line.size() > max_line_ ? on_event(Event::overlong, std::string_view{})
                                                : on_event(Event::line, line);
      partial_.clear();
      if (!keep_going) return;
    }
  }

 private:
  std::size_t max_line_;
  std::string partial_;  // an incomplete line carried over to the next read
  bool discarding_ = false;
};

}  // namespace relayaudit
