// The recorded dialogue of a session: what was sent and received, when.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace relayaudit {

enum class Direction { client, server, note };

struct TranscriptLine {
  std::int64_t at_ms = 0;  // milliseconds since the scan started
  Direction direction = Direction::note;
  std::string line;  // raw bytes, without CRLF; may be any bytes a server sent
  int session = 0;   // 1-based connection number within the endpoint audit
  // 1-based position among every line recorded for the endpoint, shared by its connections, so
  // a test's copy of a line names the endpoint's line exactly; 0 when not numbered.
  std::uint64_t sequence = 0;
};

using Transcript = std::vector<TranscriptLine>;

inline const char* direction_name(Direction direction) {
  switch (direction) {
    case Direction::client:
      return "C";
    case Direction::server:
      return "S";
    case Direction::note:
      return "*";
  }
  return "*";
}

}  // namespace relayaudit
