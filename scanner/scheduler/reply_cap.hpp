// A bounded copy of a reply for the results: a test judged on a 60 KB reply keeps 4 KB of it.
#pragma once

#include <cstddef>

#include "smtp/reply.hpp"

namespace relayaudit {

// Keeps at most `max_bytes` of the reply's lines; the last kept line then says how many bytes
// were not kept. Code and enhanced code are fields of their own and stay whole.
void cap_reply(Reply& reply, std::size_t max_bytes);

}  // namespace relayaudit
