// MX expansion: the MX lookup, then A and AAAA of every host at once.
#include "dns/mx_map.hpp"

#include <algorithm>
#include <memory>
#include <tuple>

#include "dns/dns_message.hpp"
#include "dns/host_addresses.hpp"
#include "dns/resolver.hpp"

namespace relayaudit {
namespace {

// One domain's expansion in progress: results land in `result`, `outstanding` counts lookups.
struct Expansion {
  MailDomain result;
  std::function<void(MailDomain)> done;
  int outstanding = 0;

  void lookup_finished() {
    if (--outstanding == 0) done(std::move(result));
  }
};

// A and AAAA of hosts[index], in parallel; each answer fills the host in place.
void resolve_host(DnsResolver& resolver, const std::shared_ptr<Expansion>& expansion,
                  std::size_t index) {
  const std::string name = expansion->result.hosts[index].name;
  query_host_addresses(resolver, name, [expansion, index](DnsAnswer v4, DnsAnswer v6) {
    MailDomain& domain = expansion->result;
    MxHost& host = domain.hosts[index];
    if (domain.implicit_mx && v4.status == DnsStatus::nodata && v6.status == DnsStatus::nodata) {
      // Neither MX nor address: nothing receives this domain's mail.
      domain.status = DnsStatus::nodata;
      domain.error = domain.domain + " has no MX, A or AAAA record";
      domain.hosts.clear();
      expansion->lookup_finished();
      return;
    }
    add_host_answers(host, v4, v6);
    if (domain.implicit_mx && !host.addresses.empty()) {
      host.ttl =
          std::min_element(host.addresses.begin(), host.addresses.end(),
                           [](const MxAddress& a, const MxAddress& b) { return a.ttl < b.ttl; })
              ->ttl;
    }
    expansion->lookup_finished();
  });
}

void fail(const std::shared_ptr<Expansion>& expansion, const DnsAnswer& answer) {
  expansion->result.status = answer.status;
  expansion->result.error = answer.reason;
  expansion->lookup_finished();
}

// Hosts from the MX answer: a lone "MX 0 ." is a null MX; duplicates keep the best preference.
void read_mx_answer(DnsResolver& resolver, const std::shared_ptr<Expansion>& expansion,
                    const DnsAnswer& answer) {
  MailDomain& result = expansion->result;
  if (answer.records.size() == 1 && answer.records[0].text == "." &&
      answer.records[0].preference == 0) {
    result.null_mx = true;
    expansion->lookup_finished();
    return;
  }
  std::vector<DnsRecord> records = answer.records;
  std::sort(records.begin(), records.end(), [](const DnsRecord& a, const DnsRecord& b) {
    return std::tie(a.preference, a.text) < std::tie(b.preference, b.text);
  });
  for (const auto& record : records) {
    const bool seen = std::any_of(result.hosts.begin(), result.hosts.end(),
                                  [&](const MxHost& host) { return host.name == record.text; });
    if (seen) continue;
    MxHost host;
    host.preference = record.preference;
    host.name = record.text;
    host.ttl = record.ttl;
    if (record.text == ".") {
      host.error = "null MX '.' mixed with other MX records (RFC 7505 section 3)";
    }
    result.hosts.push_back(std::move(host));
  }
  for (std::size_t i = 0; i < result.hosts.size(); ++i) {
    if (result.hosts[i].name == ".") continue;
    ++expansion->outstanding;
    resolve_host(resolver, expansion, i);
  }
  expansion->lookup_finished();
}

}  // namespace

void resolve_mail_domain(DnsResolver& resolver, std::string domain,
                         std::function<void(MailDomain)> done) {
  auto expansion = std::make_shared<Expansion>();
  expansion->done = std::move(done);
  expansion->outstanding = 1;  // the MX lookup
  auto canonical = dns_detail::canonical_dns_name(domain);
  expansion->result.domain = canonical ? *canonical : domain;
  resolver.query(domain, kDnsTypeMx, [&resolver, expansion](DnsAnswer answer) {
    MailDomain& result = expansion->result;
    switch (answer.status) {
      case DnsStatus::ok:
        read_mx_answer(resolver, expansion, answer);
        return;
      case DnsStatus::nodata: {
        // RFC 5321 section 5.1: no MX, the domain itself is the mail host (preference 0).
        result.implicit_mx = true;
        MxHost host;
        host.name = result.domain;
        result.hosts.push_back(std::move(host));
        ++expansion->outstanding;
        resolve_host(resolver, expansion, 0);
        expansion->lookup_finished();
        return;
      }
      default:
        fail(expansion, answer);
        return;
    }
  });
}

bool fully_resolved(const MailDomain& domain) {
  if (!domain.error.empty()) return false;
  return std::none_of(domain.hosts.begin(), domain.hosts.end(),
                      [](const MxHost& host) { return !host.error.empty(); });
}

}  // namespace relayaudit
