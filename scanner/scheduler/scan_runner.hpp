// Runs a whole scan on one loop: expands targets to endpoints, admits audits under the caps.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_set>
#include <vector>

#include <uv.h>

#include "dns/resolver.hpp"
#include "relaytests/relay_script.hpp"
#include "results/audit_result.hpp"
#include "scheduler/audit_options.hpp"
#include "scheduler/connection_slots.hpp"
#include "scheduler/endpoint_audit.hpp"
#include "targets/target.hpp"

namespace relayaudit {

struct ScanPlan {
  std::vector<Target> targets;
  std::vector<RelayScript> scripts;
  AuditOptions options;
  std::size_t concurrency = 1024;  // global cap on open SMTP connections
  std::set<std::string> skip;      // endpoint keys already audited (--resume)
  // When set, only the endpoints it returns true for are audited (scan --shard K/N); it sees
  // every expanded endpoint once, in target order.
  std::function<bool(const Endpoint&)> audit_filter;
  DnsResolverOptions dns;                // for mail-domain targets and DNSBL checks
  std::vector<std::string> dnsbl_zones;  // check every endpoint address on each
  // A hostile or broken zone can list thousands of MX hosts with thousands of addresses each:
  // the first this many (in preference order) are audited, the rest reported as left out.
  std::size_t max_endpoints_per_domain = 1024;
  // false: a finished endpoint is only passed to on_endpoint_done and then dropped, so memory
  // does not grow with the endpoint count (take_result() then holds no endpoints).
  bool keep_endpoints = true;
};

class ScanRunner {
 public:
  // `index` is the endpoint's place in target order (de-duplicated); `done` counts the endpoints
  // reported so far, of `total`.
  using EndpointCallback = std::function<void(const EndpointResult&, std::size_t index,
                                              std::size_t done, std::size_t total)>;

  ScanRunner(uv_loop_t* loop, ScanPlan plan);
  ScanRunner(const ScanRunner&) = delete;
  ScanRunner& operator=(const ScanRunner&) = delete;

  void on_endpoint_done(EndpointCallback callback) { on_endpoint_ = std::move(callback); }
  void on_finished(std::function<void()> callback) { on_finished_ = std::move(callback); }

  // Starts resolving and auditing; results arrive through the callbacks as the loop runs.
  void start();
  // SIGINT/SIGTERM: nothing new starts, running audits stop; finished endpoints are kept and the
  // result is marked incomplete. on_finished still runs once everything has closed.
  void cancel();
  bool finished() const { return finished_; }
  // What the running audits wait on, for the progress line.
  struct Waiting {
    int greylisting = 0;                // audits doing nothing but wait out a greylisting delay
    std::uint64_t longest_wait_ms = 0;  // the longest of those waits still to go
  };
  Waiting waiting() const;
  ScanResult take_result();

 private:
  // A host target's addresses, through dns() like every other name.
  void resolve(std::size_t target_index);
  void on_host_resolved(std::size_t target_index, const MxHost& host);
  // The loop's DNS resolver, started on first use; null when it cannot start (resolver_error_
  // says why).
  DnsResolver* dns();
  // Closes the resolver once; finish_when_done() runs again when it has closed.
  void close_resolver();
  void resolve_domain(std::size_t target_index);
  void on_domain_resolved(std::size_t target_index, MailDomain domain);
  void add_endpoint(Endpoint endpoint);
  void targets_ready();
  void check_dnsbl_listings();
  // RFC 5782 section 5: a zone lists 127.0.0.2 and not 127.0.0.1. A mistyped zone answers
  // NXDOMAIN for everything, so each zone proves itself before its answers are trusted.
  void prove_dnsbl_zones(DnsResolver& resolver);
  // `why` is empty when the zone passed.
  void on_zone_proven(const std::string& zone, const std::string& why);
  void check_endpoint_listings(DnsResolver& resolver);
  void admit();
  void audit_done(std::size_t index, EndpointAudit& audit);
  // Frees the audits that finished in earlier callbacks (never the one whose callback runs).
  void free_finished_audits();
  // Reports endpoint `index` once both its audit and its DNSBL checks are in.
  void settle(std::size_t index);
  void finish_when_done();

  uv_loop_t* loop_;
  ScanPlan plan_;
  ConnectionSlots slots_;
  EndpointCallback on_endpoint_;
  std::function<void()> on_finished_;
  std::size_t resolutions_left_ = 0;
  std::vector<std::vector<Endpoint>> per_target_;  // endpoints of each target, in input order
  std::vector<std::optional<ScannedDomain>> domain_of_target_;  // by target index
  std::vector<Endpoint> endpoints_;
  std::vector<std::unordered_set<std::string>> credited_;  // "t spec", "d domain" per endpoint
  std::map<std::string, std::size_t> endpoint_index_;
  std::vector<std::unique_ptr<EndpointAudit>> audits_;
  // Finished audits, freed at the next callback: an audit's own callback cannot destroy it.
  std::vector<std::unique_ptr<EndpointAudit>> finished_audits_;
  bool in_audit_done_ = false;
  // Results of finished audits waiting for their DNSBL answers, then kept (keep_endpoints) or
  // dropped once reported.
  std::map<std::size_t, EndpointResult> results_;
  std::vector<bool> settled_;                    // results_[i] holds a finished audit
  std::vector<bool> audit_finished_;             // its audit ended (finished or cancelled)
  std::vector<bool> reported_;                   // counted as done (and passed to on_endpoint_)
  std::vector<int> dnsbl_pending_;               // DNSBL answers still due per endpoint
  std::vector<std::vector<DnsblResult>> dnsbl_;  // per endpoint, until its result exists
  std::size_t dnsbl_left_ = 0;
  std::size_t zones_unproven_ = 0;                   // zone proofs still running
  std::map<std::string, std::string> broken_zones_;  // zone -> why it is not trusted
  std::unique_ptr<DnsResolver> resolver_;
  std::string resolver_error_;  // why the resolver could not start
  bool resolver_closed_ = false;
  bool resolver_closing_ = false;
  bool cancelled_ = false;
  std::size_t next_to_admit_ = 0;
  std::size_t active_ = 0;
  std::size_t done_count_ = 0;
  bool finished_ = false;
  ScanResult result_;
};

}  // namespace relayaudit
