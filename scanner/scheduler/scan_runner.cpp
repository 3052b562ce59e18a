// Scan orchestration: name and MX resolution, endpoint de-duplication, DNSBL checks, admission
// under the caps.
#include "scheduler/scan_runner.hpp"

#include <algorithm>
#include <memory>
#include <optional>

#include "dns/dnsbl.hpp"
#include "dns/host_addresses.hpp"
#include "targets/target_parser.hpp"

namespace relayaudit {

ScanRunner::ScanRunner(uv_loop_t* loop, ScanPlan plan)
    : loop_(loop), plan_(std::move(plan)), slots_(plan_.concurrency) {}

void ScanRunner::start() {
  result_.started = std::chrono::system_clock::now();
  for (const auto& script : plan_.scripts) result_.scripts.push_back(script.id);
  result_.dnsbl_zones = plan_.dnsbl_zones;
  per_target_.resize(plan_.targets.size());
  domain_of_target_.resize(plan_.targets.size());
  resolutions_left_ = 1;  // held by this loop so an early answer cannot finish the expansion
  for (std::size_t i = 0; i < plan_.targets.size(); ++i) {
    const Target& target = plan_.targets[i];
    Endpoint endpoint;
    endpoint.port = target.port;
    endpoint.implicit_tls = target.implicit_tls;
    endpoint.targets = {target.spec};
    switch (target.kind) {
      case TargetKind::ipv4:
      case TargetKind::ipv6:
        endpoint.address = target.host;
        endpoint.ipv6 = target.kind == TargetKind::ipv6;
        per_target_[i].push_back(std::move(endpoint));
        break;
      case TargetKind::cidr:
        per_target_[i] = expand_cidr(target);
        break;
      case TargetKind::host:
        resolve(i);
        break;
      case TargetKind::mail_domain:
        resolve_domain(i);
        break;
    }
  }
  if (--resolutions_left_ == 0) targets_ready();
}

void ScanRunner::resolve(std::size_t target_index) {
  const Target& target = plan_.targets[target_index];
  MxHost host;
  host.name = target.host;
  // localhost is the IPv4 loopback, never a DNS question (RFC 6761 6.3); [::1]:PORT is IPv6's.
  if (is_localhost_name(target.host)) {
    host.addresses.push_back(MxAddress{"127.0.0.1", false, 0});
    on_host_resolved(target_index, host);
    return;
  }
  DnsResolver* resolver = dns();
  if (resolver == nullptr) {
    host.error = resolver_error_;
    on_host_resolved(target_index, host);
    return;
  }
  // The scan's own resolver (--resolver, else resolv.conf): a name never leaks to getaddrinfo.
  ++resolutions_left_;
  query_host_addresses(*resolver, host.name,
                       [this, target_index, host](DnsAnswer a, DnsAnswer aaaa) mutable {
                         add_host_answers(host, a, aaaa);
                         on_host_resolved(target_index, host);
                         if (--resolutions_left_ == 0) targets_ready();
                       });
}

void ScanRunner::on_host_resolved(std::size_t target_index, const MxHost& host) {
  const Target& target = plan_.targets[target_index];
  if (host.addresses.empty()) {
    result_.unresolved.push_back(
        InputProblem{target.spec, target.origin, Status::resolve_failed,
                     "cannot resolve '" + target.host + "': " + host.error});
  }
  std::vector<std::string> seen;
  for (const MxAddress& address : host.addresses) {
    // Round-robin records are separate gateways: every distinct address is audited.
    if (std::find(seen.begin(), seen.end(), address.address) != seen.end()) continue;
    seen.push_back(address.address);
    Endpoint endpoint;
    endpoint.address = address.address;
    endpoint.ipv6 = address.ipv6;
    endpoint.port = target.port;
    endpoint.implicit_tls = target.implicit_tls;
    endpoint.host_name = target.host;
    endpoint.targets = {target.spec};
    per_target_[target_index].push_back(std::move(endpoint));
  }
}

DnsResolver* ScanRunner::dns() {
  if (!resolver_ && resolver_error_.empty()) {
    resolver_ = std::make_unique<DnsResolver>(loop_, plan_.dns);
    if (auto error = resolver_->start()) {
      resolver_error_ = "no DNS resolver: " + *error;
    }
  }
  return resolver_error_.empty() ? resolver_.get() : nullptr;
}

void ScanRunner::close_resolver() {
  if (!resolver_ || resolver_closed_ || resolver_closing_) return;
  resolver_closing_ = true;
  resolver_->close([this] {
    resolver_closed_ = true;
    finish_when_done();
  });
}

void ScanRunner::resolve_domain(std::size_t target_index) {
  const Target& target = plan_.targets[target_index];
  DnsResolver* resolver = dns();
  if (resolver == nullptr) {
    result_.unresolved.push_back(
        InputProblem{target.spec, target.origin, Status::resolve_failed, resolver_error_});
    // Still listed with the other domains, with why nothing was asked.
    MailDomain unasked;
    unasked.domain = target.host;
    unasked.status = DnsStatus::network_error;
    unasked.error = resolver_error_;
    domain_of_target_[target_index] =
        ScannedDomain{target.spec, target.origin, target.port, std::move(unasked)};
    return;
  }
  ++resolutions_left_;
  resolve_mail_domain(*resolver, target.host, [this, target_index](MailDomain domain) {
    on_domain_resolved(target_index, std::move(domain));
  });
}

void ScanRunner::on_domain_resolved(std::size_t target_index, MailDomain domain) {
  const Target& target = plan_.targets[target_index];
  std::size_t kept = 0;
  std::size_t left_out = 0;
  for (const MxHost& host : domain.hosts) {
    if (host.addresses.empty()) {
      // A gateway that cannot be reached by name is a part of the mail path left unaudited.
      result_.unresolved.push_back(InputProblem{target.spec, target.origin, Status::resolve_failed,
                                                "MX " + host.name + " (preference " +
                                                    std::to_string(host.preference) + ") of " +
                                                    domain.domain + ": " + host.error});
    }
    for (const MxAddress& address : host.addresses) {
      if (kept == plan_.max_endpoints_per_domain) {
        ++left_out;
        continue;
      }
      ++kept;
      Endpoint endpoint;
      endpoint.address = address.address;
      endpoint.ipv6 = address.ipv6;
      endpoint.port = target.port;
      endpoint.implicit_tls = target.implicit_tls;
      endpoint.host_name = host.name;
      endpoint.targets = {target.spec};
      endpoint.mail_domains = {domain.domain};
      per_target_[target_index].push_back(std::move(endpoint));
    }
  }
  if (left_out > 0) {
    result_.unresolved.push_back(
        InputProblem{target.spec, target.origin, Status::resolve_failed,
                     "mail domain " + domain.domain + ": " + std::to_string(left_out) +
                         " MX addresses past the first " + std::to_string(kept) +
                         " were not audited (--max-domain-endpoints)"});
  }
  // A null MX says "no mail here" on purpose: reported with the domain, not as a failure.
  if (!domain.null_mx && domain.hosts.empty()) {
    result_.unresolved.push_back(
        InputProblem{target.spec, target.origin, Status::resolve_failed,
                     "mail domain " + domain.domain + ": " +
                         (domain.error.empty() ? std::string("no receiving host") : domain.error)});
  }
  domain_of_target_[target_index] =
      ScannedDomain{target.spec, target.origin, target.port, std::move(domain)};
  if (--resolutions_left_ == 0) targets_ready();
}

void ScanRunner::add_endpoint(Endpoint endpoint) {
  const std::string key = endpoint.key();
  auto found = endpoint_index_.find(key);
  if (found != endpoint_index_.end()) {
    // The same gateway reached through several targets is audited once, credited to each.
    Endpoint& existing = endpoints_[found->second];
    // A hosting MX can serve thousands of the scanned domains: membership by set, not by scan.
    auto& credited = credited_[found->second];
    for (auto& spec : endpoint.targets) {
      if (credited.insert("t " + spec).second) existing.targets.push_back(spec);
    }
    for (auto& domain : endpoint.mail_domains) {
      if (credited.insert("d " + domain).second) existing.mail_domains.push_back(domain);
    }
    if (existing.host_name.empty()) existing.host_name = endpoint.host_name;
    // The first targets-file line that names one wins, as for the host name.
    if (existing.declared_mail_domain.empty()) {
      existing.declared_mail_domain = endpoint.declared_mail_domain;
    }
    return;
  }
  endpoint_index_.emplace(key, endpoints_.size());
  auto& credited = credited_.emplace_back();
  for (const auto& spec : endpoint.targets) credited.insert("t " + spec);
  for (const auto& domain : endpoint.mail_domains) credited.insert("d " + domain);
  endpoints_.push_back(std::move(endpoint));
}

void ScanRunner::targets_ready() {
  // Domains finish in answer order; reports list them in the order the user gave them.
  for (auto& domain : domain_of_target_) {
    if (domain) result_.domains.push_back(std::move(*domain));
  }
  domain_of_target_.clear();
  std::set<std::string> filtered_out;  // asked once per endpoint, not once per target
  for (std::size_t i = 0; i < per_target_.size(); ++i) {
    for (auto& endpoint : per_target_[i]) {
      endpoint.declared_mail_domain = plan_.targets[i].mail_domain;
      const std::string key = endpoint.key();
      if (plan_.skip.contains(key) || filtered_out.contains(key)) continue;
      if (plan_.audit_filter && !endpoint_index_.contains(key) && !plan_.audit_filter(endpoint)) {
        filtered_out.insert(key);
        continue;
      }
      add_endpoint(std::move(endpoint));
    }
  }
  per_target_.clear();
  credited_.clear();  // only de-duplication needed it
  audits_.resize(endpoints_.size());
  settled_.resize(endpoints_.size());
  audit_finished_.resize(endpoints_.size());
  reported_.resize(endpoints_.size());
  dnsbl_pending_.resize(endpoints_.size());
  dnsbl_.resize(endpoints_.size());
  if (cancelled_) {
    // Cancelled while names were resolving: none of these endpoints will be audited.
    done_count_ += endpoints_.size();
    next_to_admit_ = endpoints_.size();
  }
  check_dnsbl_listings();
  admit();
}

void ScanRunner::check_dnsbl_listings() {
  if (plan_.dnsbl_zones.empty() || cancelled_ || endpoints_.empty()) return;
  DnsResolver* resolver = dns();
  if (resolver == nullptr) {
    result_.unresolved.push_back(
        InputProblem{"--dnsbl", "argument", Status::resolve_failed, resolver_error_});
    return;
  }
  // Audits start at once; an endpoint is reported when its listings are in too.
  for (std::size_t index = 0; index < endpoints_.size(); ++index) {
    dnsbl_pending_[index] += static_cast<int>(plan_.dnsbl_zones.size());
    dnsbl_left_ += plan_.dnsbl_zones.size();
  }
  prove_dnsbl_zones(*resolver);
}

void ScanRunner::prove_dnsbl_zones(DnsResolver& resolver) {
  zones_unproven_ = plan_.dnsbl_zones.size();
  for (const auto& zone : plan_.dnsbl_zones) {
    auto listed =
        std::make_shared<std::pair<std::optional<DnsblResult>, std::optional<DnsblResult>>>();
    const auto both = [this, zone, listed, &resolver] {
      if (!listed->first || !listed->second) return;
      const DnsblResult& test_entry = *listed->first;
      const DnsblResult& control = *listed->second;
      std::string why;
      if (test_entry.status == DnsblStatus::error) {
        why = "its test entry 127.0.0.2 could not be checked: " + test_entry.error;
      } else if (test_entry.status != DnsblStatus::listed) {
        why = "it does not list its test entry 127.0.0.2 (" + test_entry.query_name +
              "): a mistyped or dead zone answers that for every address";
      } else if (control.status == DnsblStatus::error) {
        why = "its test entry 127.0.0.1 could not be checked: " + control.error;
      } else if (control.status == DnsblStatus::listed) {
        why = "it lists 127.0.0.1 (" + control.query_name +
              "), which RFC 5782 says must never be listed: it answers yes for everything";
      }
      on_zone_proven(zone, why);
      if (--zones_unproven_ == 0) check_endpoint_listings(resolver);
    };
    check_dnsbl(resolver, "127.0.0.2", zone, [listed, both](DnsblResult result) {
      listed->first = std::move(result);
      both();
    });
    check_dnsbl(resolver, "127.0.0.1", zone, [listed, both](DnsblResult result) {
      listed->second = std::move(result);
      both();
    });
  }
}

void ScanRunner::on_zone_proven(const std::string& zone, const std::string& why) {
  if (why.empty()) return;
  broken_zones_[zone] = why;
  result_.unresolved.push_back(InputProblem{"--dnsbl " + zone, "argument", Status::resolve_failed,
                                            "DNSBL zone " + zone + " is not working: " + why});
}

void ScanRunner::check_endpoint_listings(DnsResolver& resolver) {
  for (std::size_t index = 0; index < endpoints_.size(); ++index) {
    for (const auto& zone : plan_.dnsbl_zones) {
      const auto broken = broken_zones_.find(zone);
      const auto answered = [this, index](DnsblResult listing) {
        dnsbl_[index].push_back(std::move(listing));
        --dnsbl_pending_[index];
        --dnsbl_left_;
        settle(index);
        finish_when_done();
      };
      if (broken != broken_zones_.end()) {
        // Not asked: a zone that failed its proof says nothing about this address.
        DnsblResult untrusted;
        untrusted.address = endpoints_[index].address;
        untrusted.zone = zone;
        untrusted.query_name = dnsbl_query_name(untrusted.address, zone).value_or("");
        untrusted.status = DnsblStatus::error;
        untrusted.error = "zone not working: " + broken->second;
        resolver.post([answered, untrusted]() mutable { answered(std::move(untrusted)); });
        continue;
      }
      check_dnsbl(resolver, endpoints_[index].address, zone, answered);
    }
  }
}

ScanRunner::Waiting ScanRunner::waiting() const {
  Waiting waiting;
  for (const auto& audit : audits_) {
    if (!audit) continue;
    const std::uint64_t left = audit->greylist_wait_left_ms();
    if (left == 0) continue;
    ++waiting.greylisting;
    waiting.longest_wait_ms = std::max(waiting.longest_wait_ms, left);
  }
  return waiting;
}

void ScanRunner::cancel() {
  if (cancelled_) return;
  cancelled_ = true;
  result_.complete = false;
  // Endpoints never admitted are simply left out; admitted ones stop where they are.
  done_count_ += endpoints_.size() - next_to_admit_;
  next_to_admit_ = endpoints_.size();
  for (auto& audit : audits_) {
    if (audit && !audit->done()) audit->cancel();
  }
  close_resolver();  // pending lookups end now, each with a `cancelled` answer
  admit();
}

void ScanRunner::admit() {
  // An audit holds at least one connection slot while it runs, so admit at most `concurrency`.
  while (active_ < plan_.concurrency && next_to_admit_ < endpoints_.size()) {
    const std::size_t index = next_to_admit_++;
    ++active_;
    audits_[index] = std::make_unique<EndpointAudit>(
        loop_, endpoints_[index], plan_.scripts, plan_.options, slots_,
        [this, index](EndpointAudit& audit) { audit_done(index, audit); });
    audits_[index]->start();
  }
  finish_when_done();
}

void ScanRunner::finish_when_done() {
  if (finished_ || done_count_ != endpoints_.size() || resolutions_left_ != 0 || dnsbl_left_ != 0) {
    return;
  }
  if (resolver_ && !resolver_closed_) {
    close_resolver();  // every handle closes before the caller may close the loop
    return;
  }
  finished_ = true;
  result_.finished = std::chrono::system_clock::now();
  if (on_finished_) on_finished_();
}

void ScanRunner::audit_done(std::size_t index, EndpointAudit& audit) {
  // A new audit may finish inside admit() below: only the outermost call frees anything.
  const bool outermost = !in_audit_done_;
  in_audit_done_ = true;
  if (outermost) free_finished_audits();
  --active_;
  audit_finished_[index] = true;
  if (!audit.cancelled()) {
    results_[index] = audit.take_result();
    settled_[index] = true;
  }
  finished_audits_.push_back(std::move(audits_[index]));
  settle(index);
  admit();
  if (outermost) in_audit_done_ = false;
}

void ScanRunner::free_finished_audits() {
  // Each of these returned from its own done callback before this one began.
  finished_audits_.clear();
}

void ScanRunner::settle(std::size_t index) {
  if (!audit_finished_[index] || dnsbl_pending_[index] > 0 || reported_[index]) return;
  reported_[index] = true;
  ++done_count_;
  if (!settled_[index]) return;
  EndpointResult& result = results_[index];
  result.dnsbl = std::move(dnsbl_[index]);
  if (on_endpoint_) on_endpoint_(result, index, done_count_, endpoints_.size());
  if (!plan_.keep_endpoints) results_.erase(index);
}

ScanResult ScanRunner::take_result() {
  // Target order: the map is ordered by endpoint index.
  for (auto& [index, endpoint] : results_) {
    if (settled_[index]) result_.endpoints.push_back(std::move(endpoint));
  }
  results_.clear();
  result_.complete = finished_ && !cancelled_;
  if (!finished_) result_.finished = std::chrono::system_clock::now();
  return std::move(result_);
}

}  // namespace relayaudit
