// libuv writes with write(2), not MSG_NOSIGNAL: like every libuv program this test process ignores
// SIGPIPE, so a lab session writing to a client that has gone gets EPIPE instead of killing us.
#include <csignal>

namespace {

[[maybe_unused]] const bool kSigpipeIgnored = [] {
  std::signal(SIGPIPE, SIG_IGN);
  return true;
}();

}  // namespace
