// Names of the DNS statuses, as they appear in JSON and on the terminal.
#include "dns/dns_answer.hpp"

namespace relayaudit {

std::string_view to_string(DnsStatus status) {
  switch (status) {
    case DnsStatus::ok:
      return "ok";
    case DnsStatus::nxdomain:
      return "nxdomain";
    case DnsStatus::nodata:
      return "nodata";
    case DnsStatus::servfail:
      return "servfail";
    case DnsStatus::refused:
      return "refused";
    case DnsStatus::timeout:
      return "timeout";
    case DnsStatus::malformed:
      return "malformed";
    case DnsStatus::network_error:
      return "network-error";
    case DnsStatus::cancelled:
      return "cancelled";
  }
  return "unknown";
}

}  // namespace relayaudit
