// The --tls-probe sequence: TLSv1 only, TLSv1.1 only, then the STARTTLS injection check.
#include "scheduler/tls_probes.hpp"

#include <algorithm>

namespace relayaudit {
namespace {

// A client context pinned to one legacy version, made once for the whole run.
struct PinnedContext {
  std::optional<TlsContext> context;
  std::string error;
};

PinnedContext make_pinned(TlsVersion version) {
  PinnedContext pinned;
  auto made = TlsContext::client_only(version);
  if (auto* error = std::get_if<std::string>(&made)) {
    pinned.error = *error;
  } else {
    pinned.context.emplace(std::move(std::get<TlsContext>(made)));
  }
  return pinned;
}

const PinnedContext& pinned_context(TlsVersion version) {
  static const PinnedContext tls1 = make_pinned(TlsVersion::tls1);
  static const PinnedContext tls1_1 = make_pinned(TlsVersion::tls1_1);
  return version == TlsVersion::tls1 ? tls1 : tls1_1;
}

// Long enough for a server's buffered reply after the handshake, bounded by --reply-timeout.
Millis injection_wait(const AuditOptions& options) {
  return std::min(options.session.timeouts.reply, Millis{2000});
}

std::string not_checked(const TlsProbeOutcome& outcome) {
  return "not checked: " + std::string(to_string(outcome.status)) +
         (outcome.detail.empty() ? "" : ": " + outcome.detail);
}

std::string quoted_lines(const Reply& reply) {
  std::string text;
  for (const auto& line : reply.lines) text += (text.empty() ? "\"" : "\\r\\n") + line;
  return text + "\"";
}

}  // namespace

TlsProbeRun::TlsProbeRun(uv_loop_t* loop, const sockaddr_storage& address,
                         const AuditOptions& options, bool implicit, std::string server_name,
                         ConnectionSlots& slots, Done done)
    : loop_(loop),
      address_(address),
      options_(options),
      implicit_(implicit),
      server_name_(std::move(server_name)),
      slots_(slots),
      done_(std::move(done)) {
  if (options.tls_probe_versions) {
    for (TlsVersion version : {TlsVersion::tls1, TlsVersion::tls1_1}) {
      steps_.push_back(Step{TlsProbeKind::handshake, version});
    }
  }
  if (options.tls_probe_injection && !implicit_) {
    steps_.push_back(Step{TlsProbeKind::injection, TlsVersion::tls1_3});
  }
  if (options.tls_probe_injection && implicit_) {
    results_.injection_detail = "not applicable: implicit TLS has no STARTTLS";
  }
}

void TlsProbeRun::start() {
  next();
}

void TlsProbeRun::cancel() {
  if (finished_ || cancelled_) return;
  cancelled_ = true;
  if (open_ != nullptr) {
    open_->cancel();  // reports later, through record(), which finishes the run
    return;
  }
  if (!waiting_for_slot_) finish();
}

void TlsProbeRun::next() {
  if (cancelled_ || next_step_ >= steps_.size()) {
    finish();
    return;
  }
  waiting_for_slot_ = true;
  slots_.acquire([this] { open_probe(); });
}

void TlsProbeRun::open_probe() {
  waiting_for_slot_ = false;
  if (cancelled_) {
    slots_.release();  // granted after the cancel: hand the slot straight back
    finish();
    return;
  }
  const Step step = steps_[next_step_++];
  TlsProbeRequest request;
  request.kind = step.kind;
  request.implicit = implicit_;
  request.server_name = server_name_;
  request.ehlo_name = options_.session.ehlo_name;
  request.timeouts = options_.session.timeouts;
  request.limits = options_.session.limits;
  request.injection_wait = injection_wait(options_);
  if (step.kind == TlsProbeKind::handshake) {
    const PinnedContext& pinned = pinned_context(step.version);
    if (!pinned.context) {
      slots_.release();
      results_.versions.push_back(TlsVersionCheck{to_string(step.version), false, pinned.error});
      next();
      return;
    }
    request.context = &*pinned.context;
  } else {
    request.context = options_.session.tls_context;
  }
  open_ = TlsProbeSession::start(loop_, address_, std::move(request),
                                 [this, step](TlsProbeOutcome&& outcome) {
                                   open_ = nullptr;
                                   slots_.release();
                                   record(step, std::move(outcome));
                                   next();
                                 });
}

void TlsProbeRun::record(const Step& step, TlsProbeOutcome&& outcome) {
  if (outcome.status == Status::cancelled) return;  // an interrupted scan records no finding
  if (step.kind == TlsProbeKind::handshake) {
    TlsVersionCheck check{to_string(step.version), outcome.established, ""};
    if (!outcome.established) {
      // A refused handshake is the answer, with OpenSSL's reason; anything else is no answer.
      check.detail =
          outcome.status == Status::tls_handshake_failed ? outcome.detail : not_checked(outcome);
    }
    results_.versions.push_back(std::move(check));
    return;
  }
  if (!outcome.established) {
    results_.injection_detail = not_checked(outcome);
    return;
  }
  results_.starttls_injection = outcome.unsolicited.has_value();
  results_.injection_detail =
      outcome.unsolicited ? "NOOP sent in plaintext with STARTTLS was answered inside TLS: " +
                                quoted_lines(*outcome.unsolicited)
                          : "no reply inside TLS within " +
                                format_duration(injection_wait(options_)) + " of the handshake";
}

void TlsProbeRun::finish() {
  if (finished_) return;
  finished_ = true;
  done_();
}

}  // namespace relayaudit
