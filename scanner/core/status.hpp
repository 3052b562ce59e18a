// Closed set of transport/protocol statuses; each keeps the real reason a step ended.
#pragma once

#include <string_view>

namespace relayaudit {

enum class Status {
  ok,
  connection_refused,
  connection_timeout,
  connection_reset,
  network_unreachable,
  host_unreachable,
  io_timeout,
  io_error,
  closed_by_server,
  protocol_error,
  tls_handshake_failed,  // the handshake failed: OpenSSL's reason is the detail
  tls_protocol_error,    // a TLS record after the handshake was bad
  tls_timeout,           // no complete handshake within the timeout
  resolve_failed,
  cancelled,
};

std::string_view to_string(Status status);

// Maps a libuv error code to a status; `connecting` tells a refused dial from a later reset.
Status status_from_uv(int uv_error, bool connecting);

}  // namespace relayaudit
