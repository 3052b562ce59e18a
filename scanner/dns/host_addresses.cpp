// A and AAAA of one host, and what they say about it.
#include "dns/host_addresses.hpp"

#include <memory>
#include <utility>

#include "dns/resolver.hpp"

namespace relayaudit {
namespace {

void add_addresses(MxHost& host, const DnsAnswer& answer, bool ipv6) {
  for (const auto& record : answer.records) {
    host.addresses.push_back(MxAddress{record.text, ipv6, record.ttl});
  }
  if (host.cname_chain.empty()) host.cname_chain = answer.cname_chain;
}

// Appends a failed lookup's reason to the host's error (NODATA is not an error by itself).
void note_failure(MxHost& host, const DnsAnswer& answer) {
  if (answer.status == DnsStatus::ok || answer.status == DnsStatus::nodata) return;
  if (host.error.find(answer.reason) != std::string::npos) return;  // A and AAAA: same NXDOMAIN
  if (!host.error.empty()) host.error += "; ";
  host.error += answer.reason;
}

struct AddressLookup {
  DnsAnswer a;
  DnsAnswer aaaa;
  int remaining = 2;
  std::function<void(DnsAnswer, DnsAnswer)> done;

  void answered() {
    if (--remaining == 0) done(std::move(a), std::move(aaaa));
  }
};

}  // namespace

void query_host_addresses(DnsResolver& resolver, const std::string& name,
                          std::function<void(DnsAnswer a, DnsAnswer aaaa)> done) {
  auto lookup = std::make_shared<AddressLookup>();
  lookup->done = std::move(done);
  resolver.query(name, kDnsTypeA, [lookup](DnsAnswer answer) {
    lookup->a = std::move(answer);
    lookup->answered();
  });
  resolver.query(name, kDnsTypeAaaa, [lookup](DnsAnswer answer) {
    lookup->aaaa = std::move(answer);
    lookup->answered();
  });
}

void add_host_answers(MxHost& host, const DnsAnswer& a, const DnsAnswer& aaaa) {
  add_addresses(host, a, false);
  add_addresses(host, aaaa, true);
  note_failure(host, a);
  note_failure(host, aaaa);
  if (host.addresses.empty() && host.error.empty()) {
    host.error = host.name + " has no A or AAAA record";
  }
}

}  // namespace relayaudit
