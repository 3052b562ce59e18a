// What a lab session answers to one input line: the text, when it goes out, and what follows it.
#pragma once

#include <string>

#include "core/duration.hpp"

namespace relayaudit {

enum class AfterReply {
  keep_open,
  close,      // send the reply, then close (QUIT, 421)
  start_tls,  // send the reply, then expect a TLS handshake (220 to STARTTLS)
  drop,       // close without a reply, as a crashing server would
};

struct DialogueReply {
  std::string text;  // whole CRLF-terminated lines, possibly several; empty for no reply
  AfterReply after = AfterReply::keep_open;
  // The server's own wait before `text` (a tarpit, an error sleep), counted from its previous
  // reply: a slow server answers a pipelined batch one reply after the other.
  Millis delay{0};
  // Sent unprompted `follow_up_delay` after `text`, as Postfix's 421 once its hard error limit is
  // reached: it does not wait for the next command.
  std::string follow_up{};
  Millis follow_up_delay{0};
};

}  // namespace relayaudit
