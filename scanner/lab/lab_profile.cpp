// Profile names, the verdict each profile should earn, and the ready-made lab fleets.
#include <array>
#include <utility>

#include "lab/lab_endpoint.hpp"
#include "lab/lab_server.hpp"

namespace relayaudit {

namespace {

constexpr std::array<std::pair<LabProfile, std::string_view>, 80> kProfileNames{{
    {LabProfile::closed, "closed"},
    {LabProfile::pure_gateway, "pure-gateway"},
    {LabProfile::catch_all, "catch-all"},
    {LabProfile::open, "open"},
    {LabProfile::greylisting, "greylisting"},
    {LabProfile::greylist_forever, "greylist-forever"},
    {LabProfile::ehlo_reject, "ehlo-reject"},
    {LabProfile::starttls_required, "starttls-required"},
    {LabProfile::error_limit, "error-limit"},
    {LabProfile::tarpit, "tarpit"},
    {LabProfile::percent_hack, "percent-hack"},
    {LabProfile::reject_banner, "reject-banner"},
    {LabProfile::drop_mid_plan, "drop-mid-plan"},
    {LabProfile::silent, "silent"},
    {LabProfile::endless_reply, "endless-reply"},
    {LabProfile::huge_line, "huge-line"},
    {LabProfile::binary_reply, "binary-reply"},
    {LabProfile::truncated_close, "truncated-close"},
    {LabProfile::sender_check, "sender-check"},
    {LabProfile::hole_percent_hack_sender_check, "hole-percent-hack-sender-check"},
    {LabProfile::hole_null_sender, "hole-null-sender"},
    {LabProfile::hole_random_host_sender, "hole-random-host-sender"},
    {LabProfile::hole_localhost_sender, "hole-localhost-sender"},
    {LabProfile::hole_unqualified_sender, "hole-unqualified-sender"},
    {LabProfile::hole_host_name_sender, "hole-host-name-sender"},
    {LabProfile::hole_spoofed_local_sender, "hole-spoofed-local-sender"},
    {LabProfile::hole_ip_literal_sender, "hole-ip-literal-sender"},
    {LabProfile::hole_postmaster_sender, "hole-postmaster-sender"},
    {LabProfile::hole_percent_hack_name, "hole-percent-hack-name"},
    {LabProfile::hole_quoted_at, "hole-quoted-at"},
    {LabProfile::hole_quoted_percent, "hole-quoted-percent"},
    {LabProfile::hole_double_at_ip, "hole-double-at-ip"},
    {LabProfile::hole_double_at_name, "hole-double-at-name"},
    {LabProfile::hole_quoted_at_ip, "hole-quoted-at-ip"},
    {LabProfile::hole_quoted_at_name, "hole-quoted-at-name"},
    {LabProfile::hole_source_route_ip, "hole-source-route-ip"},
    {LabProfile::hole_source_route_name, "hole-source-route-name"},
    {LabProfile::hole_bang_path, "hole-bang-path"},
    {LabProfile::hole_bang_path_ip, "hole-bang-path-ip"},
    {LabProfile::hole_bang_path_name, "hole-bang-path-name"},
    {LabProfile::hole_percent_null_domain, "hole-percent-null-domain"},
    {LabProfile::hole_double_at_null_domain, "hole-double-at-null-domain"},
    {LabProfile::hole_helo_localhost, "hole-helo-localhost"},
    {LabProfile::hole_helo_own_name, "hole-helo-own-name"},
    {LabProfile::hole_helo_ip_literal, "hole-helo-ip-literal"},
    {LabProfile::hole_after_local_recipient, "hole-after-local-recipient"},
    {LabProfile::hole_routed_at_domain, "hole-routed-at-domain"},
    {LabProfile::reply_after_banner, "reply-after-banner"},
    {LabProfile::double_banner, "double-banner"},
    {LabProfile::extra_reply_mid_batch, "extra-reply-mid-batch"},
    {LabProfile::repeated_replies, "repeated-replies"},
    {LabProfile::swapped_rcpt_rset, "swapped-rcpt-rset"},
    {LabProfile::stray_reject, "stray-reject"},
    {LabProfile::reply_after_quit, "reply-after-quit"},
    {LabProfile::open_silent_quit, "open-silent-quit"},
    {LabProfile::bulky_replies, "bulky-replies"},
    {LabProfile::starttls_offered, "starttls-offered"},
    {LabProfile::starttls_broken, "starttls-broken"},
    {LabProfile::starttls_extra_reply, "starttls-extra-reply"},
    {LabProfile::smtps, "smtps"},
    {LabProfile::expired_cert, "expired-cert"},
    {LabProfile::wrong_host_cert, "wrong-host-cert"},
    {LabProfile::starttls_plain_open, "starttls-plain-open"},
    {LabProfile::greet_pause, "greet-pause"},
    {LabProfile::tls_garbage, "tls-garbage"},
    {LabProfile::tls_stall, "tls-stall"},
    {LabProfile::starttls_injection, "starttls-injection"},
    {LabProfile::tls_legacy, "tls-legacy"},
    {LabProfile::tls_huge_chain, "tls-huge-chain"},
    {LabProfile::tls_renegotiate, "tls-renegotiate"},
    {LabProfile::tls_garbage_records, "tls-garbage-records"},
    {LabProfile::exchange_tarpit, "exchange-tarpit"},
    {LabProfile::postscreen, "postscreen"},
    {LabProfile::exim_syntax_limit, "exim-syntax-limit"},
    {LabProfile::connection_limit, "connection-limit"},
    {LabProfile::error_sleep, "error-sleep"},
    {LabProfile::trusts_runner, "trusts-runner"},
    {LabProfile::trusts_runner_proxy, "trusts-runner-proxy"},
    {LabProfile::xclient_refused, "xclient-refused"},
    {LabProfile::proxy_garbage, "proxy-garbage"},
}};

// Every relay-attempt script of the library, baseline first.
constexpr std::array<std::string_view, 35> kRelayScripts{
    "relay-external-sender",
    "relay-submission-no-auth",
    "relay-null-sender",
    "relay-random-host-sender",
    "relay-localhost-sender",
    "relay-unqualified-sender",
    "relay-host-name-sender",
    "relay-spoofed-local-sender",
    "relay-ip-literal-sender",
    "relay-postmaster-sender",
    "relay-percent-hack-ip",
    "relay-percent-hack-name",
    "relay-quoted-at",
    "relay-quoted-percent",
    "relay-double-at-ip",
    "relay-double-at-name",
    "relay-quoted-at-ip",
    "relay-quoted-at-name",
    "relay-source-route-ip",
    "relay-source-route-name",
    "relay-bang-path",
    "relay-bang-path-ip",
    "relay-bang-path-name",
    "relay-percent-null-domain",
    "relay-double-at-null-domain",
    "relay-helo-localhost",
    "relay-helo-own-name",
    "relay-helo-ip-literal",
    "relay-after-local-recipient",
    "relay-null-sender-after-local-recipient",
    "relay-percent-hack-domain",
    "relay-bang-path-domain",
    "relay-double-at-domain",
    "relay-quoted-at-domain",
    "relay-source-route-domain",
};

// Each hole profile, the script it is built for, and the one overlap its rule really has; a
// profile built for several scripts has one entry for each.
struct HoleScripts {
  LabProfile profile;
  std::string_view script;
  std::string_view overlap = {};
};

constexpr std::array<HoleScripts, 33> kHoleScripts{{
    {LabProfile::percent_hack, "relay-percent-hack-ip"},
    {LabProfile::hole_percent_hack_sender_check, "relay-percent-hack-ip"},
    // Any null sender relays: also the one after a local recipient.
    {LabProfile::hole_null_sender, "relay-null-sender", "relay-null-sender-after-local-recipient"},
    {LabProfile::hole_random_host_sender, "relay-random-host-sender"},
    {LabProfile::hole_localhost_sender, "relay-localhost-sender"},
    {LabProfile::hole_unqualified_sender, "relay-unqualified-sender"},
    // postmaster@<host name> is a sender at the host name too.
    {LabProfile::hole_host_name_sender, "relay-host-name-sender", "relay-postmaster-sender"},
    {LabProfile::hole_spoofed_local_sender, "relay-spoofed-local-sender"},
    {LabProfile::hole_ip_literal_sender, "relay-ip-literal-sender"},
    {LabProfile::hole_postmaster_sender, "relay-postmaster-sender"},
    {LabProfile::hole_percent_hack_name, "relay-percent-hack-name"},
    {LabProfile::hole_quoted_at, "relay-quoted-at"},
    {LabProfile::hole_quoted_percent, "relay-quoted-percent"},
    {LabProfile::hole_double_at_ip, "relay-double-at-ip"},
    {LabProfile::hole_double_at_name, "relay-double-at-name"},
    {LabProfile::hole_quoted_at_ip, "relay-quoted-at-ip"},
    {LabProfile::hole_quoted_at_name, "relay-quoted-at-name"},
    {LabProfile::hole_source_route_ip, "relay-source-route-ip"},
    {LabProfile::hole_source_route_name, "relay-source-route-name"},
    {LabProfile::hole_bang_path, "relay-bang-path"},
    {LabProfile::hole_bang_path_ip, "relay-bang-path-ip"},
    {LabProfile::hole_bang_path_name, "relay-bang-path-name"},
    {LabProfile::hole_percent_null_domain, "relay-percent-null-domain"},
    {LabProfile::hole_double_at_null_domain, "relay-double-at-null-domain"},
    {LabProfile::hole_helo_localhost, "relay-helo-localhost"},
    {LabProfile::hole_helo_own_name, "relay-helo-own-name"},
    {LabProfile::hole_helo_ip_literal, "relay-helo-ip-literal"},
    // The null-sender twin opens the same way: the sender plays no part in this rule.
    {LabProfile::hole_after_local_recipient, "relay-after-local-recipient",
     "relay-null-sender-after-local-recipient"},
    // Every routing form, at the domain it relays for only.
    {LabProfile::hole_routed_at_domain, "relay-percent-hack-domain"},
    {LabProfile::hole_routed_at_domain, "relay-bang-path-domain"},
    {LabProfile::hole_routed_at_domain, "relay-double-at-domain"},
    {LabProfile::hole_routed_at_domain, "relay-quoted-at-domain"},
    {LabProfile::hole_routed_at_domain, "relay-source-route-domain"},
}};

}  // namespace

std::string_view to_string(LabProfile profile) {
  for (const auto& [value, name] : kProfileNames) {
    if (value == profile) return name;
  }
  return "closed";
}

std::optional<LabProfile> lab_profile_from_string(std::string_view name) {
  for (const auto& [value, known] : kProfileNames) {
    if (known == name) return value;
  }
  return std::nullopt;
}

const std::vector<LabProfile>& all_lab_profiles() {
  static const std::vector<LabProfile> profiles = [] {
    std::vector<LabProfile> list;
    for (const auto& entry : kProfileNames) list.push_back(entry.first);
    return list;
  }();
  return profiles;
}

std::string_view expected_verdict(LabProfile profile) {
  switch (profile) {
    case LabProfile::closed:
    case LabProfile::pure_gateway:  // the control falls back to <postmaster> or --mail-domain
    case LabProfile::sender_check:
    case LabProfile::error_limit:
    case LabProfile::tarpit:
    case LabProfile::greet_pause:
    case LabProfile::drop_mid_plan:
    case LabProfile::binary_reply:
    case LabProfile::bulky_replies:  // the transcript cap cuts lines, never a verdict
    case LabProfile::starttls_offered:
    case LabProfile::starttls_broken:       // the plan runs in plaintext after the 454
    case LabProfile::starttls_extra_reply:  // the stray bytes are discarded, never read
    case LabProfile::expired_cert:          // certificate facts give findings, never verdicts
    case LabProfile::wrong_host_cert:
    case LabProfile::starttls_injection:  // our client pipelines nothing after STARTTLS
    case LabProfile::tls_legacy:
      return "closed";
    // A scanner that paces itself within their limits sees every refusal.
    case LabProfile::exchange_tarpit:
    case LabProfile::postscreen:
    case LabProfile::exim_syntax_limit:  // the 501s to routed forms are refusals at RCPT
    case LabProfile::connection_limit:
    case LabProfile::error_sleep:
      return "closed";
    // A broken STARTTLS is not tried again: the plan runs in plaintext (smtps://: unreachable).
    case LabProfile::tls_garbage:
    case LabProfile::tls_stall:
    case LabProfile::tls_huge_chain:
    case LabProfile::tls_renegotiate:
    case LabProfile::tls_garbage_records:
      return "closed";
    case LabProfile::open:
    case LabProfile::greylisting:  // a scanner that retries after the window sees the 250
    case LabProfile::ehlo_reject:  // found only by falling back to HELO
    case LabProfile::percent_hack:
    case LabProfile::hole_percent_hack_sender_check:  // found with the null sender
    case LabProfile::hole_null_sender:
    case LabProfile::hole_random_host_sender:
    case LabProfile::hole_localhost_sender:
    case LabProfile::hole_unqualified_sender:
    case LabProfile::hole_host_name_sender:
    case LabProfile::hole_spoofed_local_sender:
    case LabProfile::hole_ip_literal_sender:
    case LabProfile::hole_postmaster_sender:
    case LabProfile::hole_percent_hack_name:
    case LabProfile::hole_quoted_at:
    case LabProfile::hole_quoted_percent:
    case LabProfile::hole_double_at_ip:
    case LabProfile::hole_double_at_name:
    case LabProfile::hole_quoted_at_ip:
    case LabProfile::hole_quoted_at_name:
    case LabProfile::hole_source_route_ip:
    case LabProfile::hole_source_route_name:
    case LabProfile::hole_bang_path:
    case LabProfile::hole_bang_path_ip:
    case LabProfile::hole_bang_path_name:
    case LabProfile::hole_percent_null_domain:
    case LabProfile::hole_double_at_null_domain:
    case LabProfile::hole_helo_localhost:
    case LabProfile::hole_helo_own_name:
    case LabProfile::hole_helo_ip_literal:
    case LabProfile::hole_after_local_recipient:
    case LabProfile::hole_routed_at_domain:  // scanned with --mail-domain corp.relayaudit.test
    case LabProfile::open_silent_quit:       // unverified by QUIT, each acceptance is tried again
    case LabProfile::trusts_runner:          // audited from loopback, inside its mynetworks
    case LabProfile::xclient_refused:
      return "open-relay";
    // No PROXY header: 421 after the header wait, on every connection.
    case LabProfile::trusts_runner_proxy:
    case LabProfile::proxy_garbage:
      return "unreachable";
    case LabProfile::greylist_forever:
    case LabProfile::catch_all:  // accepted address forms may be mailbox names: unproven
      return "inconclusive";
    case LabProfile::starttls_required:    // found once the scanner speaks TLS
    case LabProfile::smtps:                // scanned as smtps://
    case LabProfile::starttls_plain_open:  // in plaintext, beside the plan inside TLS
      return "open-relay";
    // Every connection's reply stream is out of step: nothing it says can be trusted.
    case LabProfile::reply_after_banner:
    case LabProfile::double_banner:
    case LabProfile::extra_reply_mid_batch:
    case LabProfile::repeated_replies:
    case LabProfile::swapped_rcpt_rset:  // closed under --no-pipelining: nothing to swap then
    case LabProfile::stray_reject:
    case LabProfile::reply_after_quit:
      return "inconclusive";
    case LabProfile::reject_banner:  // no session gets past a 554 banner (DESIGN.md)
    case LabProfile::silent:
    case LabProfile::endless_reply:
    case LabProfile::huge_line:
    case LabProfile::truncated_close:
      return "unreachable";
  }
  return "inconclusive";
}

std::vector<std::string_view> expected_failing_scripts(LabProfile profile) {
  switch (profile) {
    case LabProfile::open:
    case LabProfile::open_silent_quit:
    case LabProfile::starttls_required:  // every relay script, inside TLS
    case LabProfile::smtps:
    case LabProfile::greylisting:    // every triplet passes once the window is over
    case LabProfile::ehlo_reject:    // HELO tricks too: a scanner greets it again with HELO
    case LabProfile::trusts_runner:  // from loopback, as under default options
    case LabProfile::xclient_refused:
      return {kRelayScripts.begin(), kRelayScripts.end()};
    case LabProfile::starttls_plain_open:  // the baseline attempts --tls auto runs in plaintext
      return {"relay-external-sender", "relay-null-sender", "relay-spoofed-local-sender"};
    default:
      break;
  }
  std::vector<std::string_view> scripts;
  for (const HoleScripts& hole : kHoleScripts) {
    if (hole.profile != profile) continue;
    scripts.push_back(hole.script);
    if (!hole.overlap.empty()) scripts.push_back(hole.overlap);
  }
  return scripts;
}

std::vector<LabProfile> hole_profiles() {
  std::vector<LabProfile> profiles;
  for (const HoleScripts& hole : kHoleScripts) {
    if (profiles.empty() || profiles.back() != hole.profile) profiles.push_back(hole.profile);
  }
  return profiles;
}

std::string LabGateway::target() const {
  return format_endpoint(address, port);
}

std::string LabGateway::scan_target() const {
  return (profile == LabProfile::smtps || implicit_tls ? "smtps://" : "") + target();
}

std::vector<LabGatewayConfig> default_lab_fleet() {
  std::vector<LabGatewayConfig> fleet;
  for (LabProfile profile :
       {LabProfile::closed, LabProfile::open, LabProfile::greylisting, LabProfile::ehlo_reject,
        LabProfile::starttls_required, LabProfile::error_limit, LabProfile::tarpit,
        LabProfile::percent_hack, LabProfile::drop_mid_plan, LabProfile::binary_reply,
        LabProfile::reject_banner, LabProfile::smtps}) {
    fleet.push_back(LabGatewayConfig{profile, "127.0.0.1", 0});
  }
  return fleet;
}

std::vector<LabGatewayConfig> benchmark_lab_fleet(std::size_t count) {
  std::vector<LabGatewayConfig> fleet;
  fleet.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    fleet.push_back(
        LabGatewayConfig{i % 2 == 0 ? LabProfile::closed : LabProfile::open, "127.0.0.1", 0});
  }
  return fleet;
}

}  // namespace relayaudit
