// Failure messages of the support code's system calls: what failed, then errno's text.
#pragma once

#include <cerrno>
#include <cstring>
#include <string>

namespace relayaudit::testing {

// "bind 127.0.0.1:25: Address already in use"; call it before anything else can change errno.
inline std::string errno_text(const std::string& what) {
  return what + ": " + std::strerror(errno);
}

}  // namespace relayaudit::testing
