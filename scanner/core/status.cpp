// Status names and the libuv error mapping.
#include "core/status.hpp"

#include <uv.h>

namespace relayaudit {

std::string_view to_string(Status status) {
  switch (status) {
    case Status::ok:
      return "ok";
    case Status::connection_refused:
      return "connection-refused";
    case Status::connection_timeout:
      return "connection-timeout";
    case Status::connection_reset:
      return "connection-reset";
    case Status::network_unreachable:
      return "network-unreachable";
    case Status::host_unreachable:
      return "host-unreachable";
    case Status::io_timeout:
      return "io-timeout";
    case Status::io_error:
      return "io-error";
    case Status::closed_by_server:
      return "closed-by-server";
    case Status::protocol_error:
      return "protocol-error";
    case Status::tls_handshake_failed:
      return "tls-handshake-failed";
    case Status::tls_protocol_error:
      return "tls-protocol-error";
    case Status::tls_timeout:
      return "tls-timeout";
    case Status::resolve_failed:
      return "resolve-failed";
    case Status::cancelled:
      return "cancelled";
  }
  return "io-error";
}

Status status_from_uv(int uv_error, bool connecting) {
  switch (uv_error) {
    case 0:
      return Status::ok;
    case UV_ECONNREFUSED:
      return Status::connection_refused;
    case UV_ETIMEDOUT:
      return connecting ? Status::connection_timeout : Status::io_timeout;
    case UV_ECONNRESET:
    case UV_EPIPE:
      return Status::connection_reset;
    case UV_ECONNABORTED:
      return connecting ? Status::connection_refused : Status::connection_reset;
    case UV_ENETUNREACH:
    case UV_ENETDOWN:
      return Status::network_unreachable;
    case UV_EHOSTUNREACH:
    case UV_EHOSTDOWN:
      return Status::host_unreachable;
    case UV_EOF:
      return Status::closed_by_server;
    case UV_ECANCELED:
      return Status::cancelled;
    default:
      return Status::io_error;
  }
}

}  // namespace relayaudit
