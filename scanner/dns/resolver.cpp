// DnsResolver: the public API, the run's cache, coalescing of identical questions, the queue
// behind the in-flight cap, CNAME chains, and shutdown.
#include "dns/resolver.hpp"

#include <algorithm>
#include <random>
#include <unordered_set>
#include <variant>

#include "dns/resolver_impl.hpp"

namespace relayaudit {

using dns_detail::Exchange;
using dns_detail::ExchangeResult;

namespace dns_detail {

std::string type_name(std::uint16_t type) {
  switch (type) {
    case kDnsTypeA:
      return "A";
    case kDnsTypeAaaa:
      return "AAAA";
    case kDnsTypeMx:
      return "MX";
    case kDnsTypeTxt:
      return "TXT";
    case kDnsTypeCname:
      return "CNAME";
    default:
      return "TYPE" + std::to_string(type);
  }
}

}  // namespace dns_detail

namespace {

// Answers worth keeping for the run: the server's word. Timeouts and socket errors may pass.
bool cacheable(DnsStatus status) {
  return status == DnsStatus::ok || status == DnsStatus::servfail || status == DnsStatus::refused;
}

// One query() following its CNAME chain across answers.
struct Chase {
  std::string name;  // as asked, canonical
  std::uint16_t type = 0;
  DnsAnswerCallback done;
  std::vector<std::string> chain;
  std::unordered_set<std::string> visited;
  bool over_tcp = false;

  void finish(DnsStatus status, std::string reason, std::vector<DnsRecord> records = {}) {
    DnsAnswer answer;
    answer.status = status;
    answer.reason = std::move(reason);
    answer.records = std::move(records);
    answer.cname_chain = std::move(chain);
    answer.truncated_retried_over_tcp = over_tcp;
    done(std::move(answer));
  }
};

void chase(DnsResolver::Impl* impl, std::shared_ptr<Chase> chase_state, std::string current);

// Reads one answer: records of the type at the end of the chain found in it, or where to go on.
void read_answer(DnsResolver::Impl* impl, const std::shared_ptr<Chase>& state,
                 const std::string& asked, const ExchangeResult& result) {
  state->over_tcp = state->over_tcp || result.via_tcp;
  if (result.status != DnsStatus::ok) {
    state->finish(result.status,
                  asked + " " + dns_detail::type_name(state->type) + ": " + result.reason);
    return;
  }
  const auto& response = result.response;
  const std::string what = dns_detail::type_name(state->type);
  std::string at = asked;
  for (;;) {
    std::vector<DnsRecord> records;
    for (const auto& record : response.answers) {
      if (record.name == at && record.type == state->type) records.push_back(record);
    }
    if (!records.empty()) {
      state->finish(DnsStatus::ok, {}, std::move(records));
      return;
    }
    const auto cname = std::find_if(
        response.answers.begin(), response.answers.end(),
        [&](const DnsRecord& record) { return record.name == at && record.type == kDnsTypeCname; });
    if (cname == response.answers.end()) break;
    if (!state->visited.insert(cname->text).second) {
      std::string loop = state->name;
      for (const auto& hop : state->chain) loop += " -> " + hop;
      state->finish(DnsStatus::servfail, "CNAME loop: " + loop + " -> " + cname->text);
      return;
    }
    if (static_cast<int>(state->chain.size()) >= impl->options.max_cname_hops) {
      state->finish(DnsStatus::servfail, state->name + ": CNAME chain longer than " +
                                             std::to_string(impl->options.max_cname_hops) +
                                             " hops");
      return;
    }
    state->chain.push_back(cname->text);
    at = cname->text;
  }
  const std::string from = " (" + result.server + ")";
  if (response.rcode == dns_detail::kRcodeNxDomain) {
    const std::string via = at == state->name ? "" : " (CNAME target of " + state->name + ")";
    state->finish(DnsStatus::nxdomain, at + via + " does not exist: NXDOMAIN" + from);
    return;
  }
  if (at != asked) {  // the answer stops at a CNAME: ask for its target
    chase(impl, state, at);
    return;
  }
  if (!response.authoritative && !response.authority_has_soa &&
      !response.referral_servers.empty()) {
    state->finish(DnsStatus::servfail, "lame answer for " + at + " " + what + from +
                                           ": a referral to " + response.referral_servers.front() +
                                           ", the server does not resolve this name");
    return;
  }
  state->finish(DnsStatus::nodata, at + " has no " + what + " record" + from);
}

void chase(DnsResolver::Impl* impl, std::shared_ptr<Chase> state, std::string current) {
  const std::uint16_t type = state->type;
  impl->lookup(current, type,
               [impl, state = std::move(state), current](const ExchangeResult& result) {
                 read_answer(impl, state, current, result);
               });
}

void on_idle(uv_idle_t* idle) {
  static_cast<DnsResolver::Impl*>(idle->data)->run_ready();
}

void on_exchange_closed(uv_handle_t* handle) {
  auto* exchange = static_cast<Exchange*>(handle->data);
  DnsResolver::Impl* impl = exchange->impl;
  delete exchange;
  impl->handle_closed();
}

void on_idle_closed(uv_handle_t* handle) {
  static_cast<DnsResolver::Impl*>(handle->data)->handle_closed();
}

}  // namespace

DnsResolver::Impl::Impl(uv_loop_t* loop_, DnsResolverOptions options_)
    : loop(loop_), options(std::move(options_)) {
  uv_idle_init(loop, &idle);  // cannot fail
  idle.data = this;
  ++open_handles;
}

void DnsResolver::Impl::defer(std::function<void()> call) {
  if (orphaned) return;
  if (uv_is_closing(reinterpret_cast<uv_handle_t*>(&idle))) {
    call();  // only after close() completed: nothing is left to run it later
    return;
  }
  ready.push_back(std::move(call));
  uv_idle_start(&idle, on_idle);
}

void DnsResolver::Impl::run_ready() {
  // Callbacks may queue more; those run on the next turn of the loop.
  std::deque<std::function<void()>> batch;
  batch.swap(ready);
  for (auto& call : batch) {
    if (orphaned) return;  // a callback destroyed the resolver: the rest refer to it
    call();
  }
  if (ready.empty()) uv_idle_stop(&idle);
  maybe_finish_close();
}

std::uint16_t DnsResolver::Impl::random_word() {
  if (random_words.empty()) {
    random_words.resize(512);
    const int rc = uv_random(nullptr, nullptr, random_words.data(),
                             random_words.size() * sizeof(std::uint16_t), 0, nullptr);
    if (rc != 0) {
      std::random_device device;
      for (auto& word : random_words) word = static_cast<std::uint16_t>(device());
    }
  }
  const std::uint16_t word = random_words.back();
  random_words.pop_back();
  return word;
}

void DnsResolver::Impl::lookup(const std::string& name, std::uint16_t type,
                               dns_detail::ExchangeCallback done) {
  ++stats.queries;
  if (closing || !started) {
    const DnsStatus status = closing ? DnsStatus::cancelled : DnsStatus::network_error;
    const std::string why = closing ? "the resolver was closed" : "the resolver is not started";
    defer([done = std::move(done), status, why] {
      done(ExchangeResult{status, why, {}, false, {}});
    });
    return;
  }
  std::string key = std::to_string(type) + " " + name;
  if (auto hit = cache.find(key); hit != cache.end()) {
    ++stats.cache_hits;
    defer([done = std::move(done), result = hit->second] { done(*result); });
    return;
  }
  if (auto waiting = pending.find(key); waiting != pending.end()) {
    ++stats.coalesced;
    waiting->second->waiters.push_back(std::move(done));
    return;
  }
  auto* exchange = new Exchange;
  exchange->impl = this;
  exchange->key = key;
  exchange->name = name;
  exchange->type = type;
  exchange->waiters.push_back(std::move(done));
  pending.emplace(std::move(key), exchange);
  queued.push_back(exchange);
  pump();
}

void DnsResolver::Impl::pump() {
  // Guarded: an exchange that fails at once finishes and pumps again from inside this loop.
  if (pumping) return;
  pumping = true;
  while (!closing && !queued.empty() && stats.in_flight < options.max_in_flight) {
    Exchange* exchange = queued.front();
    queued.pop_front();
    start_exchange(exchange);
  }
  pumping = false;
}

void DnsResolver::Impl::finish(Exchange* exchange, ExchangeResult result) {
  detach_transport(exchange);
  if (auto found = pending.find(exchange->key);
      found != pending.end() && found->second == exchange) {
    pending.erase(found);
  }
  if (result.server.empty() && exchange->server != nullptr) {
    result.server = exchange->server->text();
  }
  result.via_tcp = result.via_tcp || exchange->via_tcp;
  auto shared = std::make_shared<const ExchangeResult>(std::move(result));
  if (cacheable(shared->status)) cache[exchange->key] = shared;
  defer([waiters = std::move(exchange->waiters), shared] {
    for (const auto& waiter : waiters) waiter(*shared);
  });
  if (exchange->started) {
    --stats.in_flight;
    uv_timer_stop(&exchange->timer);
    uv_close(reinterpret_cast<uv_handle_t*>(&exchange->timer), on_exchange_closed);
  } else {
    std::erase(queued, exchange);
    delete exchange;
  }
  pump();
}

void DnsResolver::Impl::cancel_all() {
  std::vector<Exchange*> all;
  all.reserve(pending.size());
  for (const auto& [key, exchange] : pending) all.push_back(exchange);
  for (Exchange* exchange : all) {
    finish(exchange,
           ExchangeResult{DnsStatus::cancelled, "the resolver was closed", {}, false, {}});
  }
}

void DnsResolver::Impl::maybe_finish_close() {
  auto* handle = reinterpret_cast<uv_handle_t*>(&idle);
  if (!closing || !ready.empty() || !pending.empty() || uv_is_closing(handle)) return;
  uv_close(handle, on_idle_closed);
}

void DnsResolver::Impl::handle_closed() {
  --open_handles;
  if (open_handles != 0 || !closing) return;
  if (orphaned) {
    delete this;
    return;
  }
  auto calls = std::move(on_closed);
  on_closed.clear();
  for (auto& call : calls) call();
}

DnsResolver::DnsResolver(uv_loop_t* loop, DnsResolverOptions options)
    : impl_(std::make_unique<Impl>(loop, std::move(options))) {}

DnsResolver::~DnsResolver() {
  if (!impl_ || impl_->open_handles == 0) return;
  // Destroyed without close(): the callbacks may refer to whoever destroys us, so they are
  // dropped; the handles close and the last close callback frees the internals.
  Impl* impl = impl_.release();
  impl->orphaned = true;
  impl->on_closed.clear();
  impl->ready.clear();
  for (auto& [key, exchange] : impl->pending) exchange->waiters.clear();
  if (!impl->closing) {
    impl->closing = true;
    impl->cancel_all();
    impl->close_udp_sockets();
  }
  impl->maybe_finish_close();
}

std::optional<std::string> DnsResolver::start() {
  Impl& impl = *impl_;
  if (impl.closing) return std::string("resolver: start() after close()");
  if (impl.options.timeout.count() <= 0) return std::string("resolver: the timeout must be > 0");
  if (impl.options.retries < 0) return std::string("resolver: retries must be >= 0");
  if (impl.options.max_in_flight == 0) return std::string("resolver: max in flight must be >= 1");
  std::vector<DnsServer> servers;
  if (impl.options.servers.empty()) {
    auto read = read_resolv_conf(impl.options.resolv_conf);
    if (auto* error = std::get_if<std::string>(&read)) return *error;
    servers = std::get<std::vector<DnsServer>>(std::move(read));
  } else {
    for (const auto& spec : impl.options.servers) {
      auto parsed = parse_dns_server(spec);
      if (auto* error = std::get_if<std::string>(&parsed)) return *error;
      servers.push_back(std::get<DnsServer>(std::move(parsed)));
    }
  }
  impl.servers = std::move(servers);
  impl.receive_buffer.resize(65536);
  impl.started = true;
  return std::nullopt;
}

std::vector<std::string> DnsResolver::servers() const {
  std::vector<std::string> texts;
  for (const auto& server : impl_->servers) texts.push_back(server.text());
  return texts;
}

void DnsResolver::query(std::string name, std::uint16_t type, DnsAnswerCallback done) {
  auto canonical = dns_detail::canonical_dns_name(name);
  if (!canonical) {
    ++impl_->stats.queries;
    impl_->defer([done = std::move(done), name] {
      done(
          DnsAnswer{DnsStatus::malformed, "'" + name + "' is not a valid DNS name", {}, {}, false});
    });
    return;
  }
  auto state = std::make_shared<Chase>();
  state->name = *canonical;
  state->type = type;
  state->done = std::move(done);
  state->visited.insert(*canonical);
  chase(impl_.get(), std::move(state), *canonical);
}

void DnsResolver::post(std::function<void()> call) {
  impl_->defer(std::move(call));
}

const DnsResolverStats& DnsResolver::stats() const {
  return impl_->stats;
}

void DnsResolver::close(std::function<void()> on_closed) {
  Impl& impl = *impl_;
  if (impl.closing) {
    if (!on_closed) return;
    if (impl.open_handles == 0) {
      on_closed();  // already closed: nothing left on the loop to run it later
    } else {
      impl.on_closed.push_back(std::move(on_closed));
    }
    return;
  }
  impl.closing = true;
  if (on_closed) impl.on_closed.push_back(std::move(on_closed));
  impl.cancel_all();
  impl.close_udp_sockets();
  impl.maybe_finish_close();
}

}  // namespace relayaudit
