// Hostile reply orders for the lab: each profile breaks reply-stream integrity in one way.
#include "lab/reply_distortion.hpp"

#include <cctype>

namespace relayaudit {
namespace {

bool is_verb(std::string_view verb, std::string_view wanted) {
  if (verb.size() != wanted.size()) return false;
  for (std::size_t i = 0; i < verb.size(); ++i) {
    if (std::toupper(static_cast<unsigned char>(verb[i])) != wanted[i]) return false;
  }
  return true;
}

std::string repeated(const std::string& text, int times) {
  std::string out;
  out.reserve(text.size() * static_cast<std::size_t>(times));
  for (int i = 0; i < times; ++i) out += text;
  return out;
}

// 15 continuation lines of 4,000 bytes with the reply's own code, then the reply.
std::string bulky(const std::string& text) {
  if (text.size() < 3) return text;
  const std::string line = text.substr(0, 3) + "-" + std::string(4000, 'x') + "\r\n";
  return repeated(line, 15) + text;
}

}  // namespace

std::string ReplyDistortion::banner(std::string banner) const {
  switch (profile_) {
    case LabProfile::reply_after_banner:
      return banner + "250 2.0.0 Ok\r\n";  // buffered together with the banner
    case LabProfile::repeated_replies:
      return repeated(banner, kRepeats);
    case LabProfile::bulky_replies:
      return bulky(banner);
    default:
      return banner;
  }
}

std::string ReplyDistortion::second_banner(const std::string& banner) const {
  // SMTP proxies and firewall "inspection" features greet first, then pass the server's banner.
  return profile_ == LabProfile::double_banner ? banner : std::string();
}

std::string ReplyDistortion::reply(std::string_view verb, std::string text, std::uint64_t now_ms) {
  switch (profile_) {
    case LabProfile::extra_reply_mid_batch:
      if (is_verb(verb, "MAIL")) return "250 2.1.0 Ok\r\n" + text;
      return text;
    case LabProfile::stray_reject:
      if (!is_verb(verb, "MAIL") || strayed_) return text;
      strayed_ = true;  // once per session, before the first MAIL reply
      return "550 5.7.1 Relaying denied\r\n" + text;
    case LabProfile::repeated_replies:
      return repeated(text, kRepeats);
    case LabProfile::starttls_extra_reply:
      return is_verb(verb, "STARTTLS") && text.rfind("220", 0) == 0 ? text + "250 2.0.0 Ok\r\n"
                                                                    : text;
    case LabProfile::open_silent_quit:
      return is_verb(verb, "QUIT") ? std::string() : text;
    case LabProfile::reply_after_quit:
      return is_verb(verb, "QUIT") ? text + "250 2.0.0 Ok\r\n" : text;
    case LabProfile::bulky_replies:
      return bulky(text);
    case LabProfile::swapped_rcpt_rset:
      if (is_verb(verb, "RCPT")) {
        // Held until the next command's reply has gone out: the two arrive swapped.
        std::string earlier = release(now_ms, true);
        held_ = std::move(text);
        held_since_ms_ = now_ms;
        return earlier;
      }
      return text + release(now_ms, true);
    default:
      return text;
  }
}

std::string ReplyDistortion::release(std::uint64_t now_ms, bool force) {
  if (held_.empty() || (!force && now_ms < held_until_ms())) return {};
  std::string out;
  out.swap(held_);
  return out;
}

}  // namespace relayaudit
