// Hostile reply streams: the ways a lying server or a broken proxy bends the order of its replies.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/duration.hpp"
#include "lab/lab_server.hpp"

namespace relayaudit {

class ReplyDistortion {
 public:
  // A held RCPT reply goes out on its own once no further command came within this time.
  static constexpr Millis kHoldLimit{100};
  // The second banner of double_banner follows the first after this delay.
  static constexpr Millis kSecondBannerDelay{50};
  static constexpr int kRepeats = 100;  // repeated_replies: copies of every reply

  explicit ReplyDistortion(LabProfile profile) : profile_(profile) {}

  // The banner bytes as the profile sends them at once (repeated, or followed by a stray reply).
  std::string banner(std::string banner) const;
  // A banner to send again a moment after the first one, or "" for none.
  std::string second_banner(const std::string& banner) const;
  // What goes on the wire now in answer to `verb`; a reply may be held back for later.
  std::string reply(std::string_view verb, std::string text, std::uint64_t now_ms);
  // The held reply, once its time has come (or at once when `force`), else "".
  std::string release(std::uint64_t now_ms, bool force = false);
  // When the held reply is due, or 0 when nothing is held.
  std::uint64_t held_until_ms() const {
    return held_.empty() ? 0 : held_since_ms_ + kHoldLimit.count();
  }

 private:
  LabProfile profile_;
  std::string held_;
  std::uint64_t held_since_ms_ = 0;
  bool strayed_ = false;
};

}  // namespace relayaudit
