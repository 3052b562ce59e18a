// Scan orchestration: name resolution, endpoint de-duplication, admission under the caps.
#include "scheduler/scan_runner.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <algorithm>

#include "targets/target_parser.hpp"

namespace relayaudit {

struct ScanRunner::Resolution {
  uv_getaddrinfo_t request{};
  ScanRunner* runner = nullptr;
  std::size_t target_index = 0;
};

ScanRunner::ScanRunner(uv_loop_t* loop, ScanPlan plan)
    : loop_(loop), plan_(std::move(plan)), slots_(plan_.concurrency) {}

void ScanRunner::start() {
  result_.started = std::chrono::system_clock::now();
  for (const auto& script : plan_.scripts) result_.scripts.push_back(script.id);
  per_target_.resize(plan_.targets.size());
  resolutions_left_ = 1;  // held by this loop so an early answer cannot finish the expansion
  for (std::size_t i = 0; i < plan_.targets.size(); ++i) {
    const Target& target = plan_.targets[i];
    Endpoint endpoint;
    endpoint.port = target.port;
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
        result_.unresolved.push_back(InputProblem{target.spec, target.origin,
                                                  Status::resolve_failed,
                                                  "mail domain targets are not supported yet"});
        break;
    }
  }
  if (--resolutions_left_ == 0) targets_ready();
}

void ScanRunner::resolve(std::size_t target_index) {
  auto* resolution = new Resolution;
  resolution->runner = this;
  resolution->target_index = target_index;
  resolution->request.data = resolution;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  ++resolutions_left_;
  const int rc = uv_getaddrinfo(
      loop_, &resolution->request,
      [](uv_getaddrinfo_t* request, int status, addrinfo* addresses) {
        auto* done = static_cast<Resolution*>(request->data);
        done->runner->on_resolved(done->target_index, status, addresses);
        uv_freeaddrinfo(addresses);
        delete done;
      },
      plan_.targets[target_index].host.c_str(), nullptr, &hints);
  if (rc != 0) {
    delete resolution;
    on_resolved(target_index, rc, nullptr);
  }
}

void ScanRunner::on_resolved(std::size_t target_index, int status, const addrinfo* addresses) {
  const Target& target = plan_.targets[target_index];
  if (status != 0 || addresses == nullptr) {
    result_.unresolved.push_back(
        InputProblem{target.spec, target.origin, Status::resolve_failed,
                     std::string("cannot resolve '") + target.host + "': " + uv_strerror(status)});
  }
  std::vector<std::string> seen;
  for (const addrinfo* info = addresses; info != nullptr; info = info->ai_next) {
    char text[INET6_ADDRSTRLEN] = {};
    Endpoint endpoint;
    endpoint.port = target.port;
    endpoint.host_name = target.host;
    endpoint.targets = {target.spec};
    if (info->ai_family == AF_INET) {
      uv_ip4_name(reinterpret_cast<const sockaddr_in*>(info->ai_addr), text, sizeof(text));
    } else if (info->ai_family == AF_INET6) {
      uv_ip6_name(reinterpret_cast<const sockaddr_in6*>(info->ai_addr), text, sizeof(text));
      endpoint.ipv6 = true;
    } else {
      continue;
    }
    endpoint.address = text;
    // Round-robin records are separate gateways: every distinct address is audited.
    if (std::find(seen.begin(), seen.end(), endpoint.address) != seen.end()) continue;
    seen.push_back(endpoint.address);
    per_target_[target_index].push_back(std::move(endpoint));
  }
  if (--resolutions_left_ == 0) targets_ready();
}

void ScanRunner::add_endpoint(Endpoint endpoint) {
  const std::string key = endpoint.key();
  auto found = endpoint_index_.find(key);
  if (found != endpoint_index_.end()) {
    // The same gateway reached through several targets is audited once, credited to each.
    Endpoint& existing = endpoints_[found->second];
    for (auto& spec : endpoint.targets) {
      if (std::find(existing.targets.begin(), existing.targets.end(), spec) ==
          existing.targets.end()) {
        existing.targets.push_back(spec);
      }
    }
    if (existing.host_name.empty()) existing.host_name = endpoint.host_name;
    return;
  }
  endpoint_index_.emplace(key, endpoints_.size());
  endpoints_.push_back(std::move(endpoint));
}

void ScanRunner::targets_ready() {
  for (auto& list : per_target_) {
    for (auto& endpoint : list) {
      if (!plan_.skip.contains(endpoint.key())) add_endpoint(std::move(endpoint));
    }
  }
  per_target_.clear();
  audits_.resize(endpoints_.size());
  results_.resize(endpoints_.size());
  settled_.resize(endpoints_.size());
  if (cancelled_) next_to_admit_ = endpoints_.size();
  admit();
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
  if (!finished_ && done_count_ == endpoints_.size() && resolutions_left_ == 0) {
    finished_ = true;
    result_.finished = std::chrono::system_clock::now();
    if (on_finished_) on_finished_();
  }
}

void ScanRunner::audit_done(std::size_t index, EndpointAudit& audit) {
  --active_;
  ++done_count_;
  if (!audit.cancelled()) {
    results_[index] = audit.take_result();
    settled_[index] = true;
    if (on_endpoint_) on_endpoint_(results_[index], done_count_, endpoints_.size());
  }
  admit();
}

ScanResult ScanRunner::take_result() {
  for (std::size_t i = 0; i < results_.size(); ++i) {
    if (settled_[i]) result_.endpoints.push_back(std::move(results_[i]));
  }
  result_.complete = finished_ && !cancelled_;
  if (!finished_) result_.finished = std::chrono::system_clock::now();
  return std::move(result_);
}

}  // namespace relayaudit
