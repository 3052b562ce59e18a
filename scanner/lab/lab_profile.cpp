// Profile names, the verdict each profile should earn, and the ready-made lab fleets.
#include <array>
#include <utility>

#include "lab/lab_endpoint.hpp"
#include "lab/lab_server.hpp"

namespace relayaudit {

namespace {

constexpr std::array<std::pair<LabProfile, std::string_view>, 16> kProfileNames{{
    {LabProfile::closed, "closed"},
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
    case LabProfile::error_limit:
    case LabProfile::tarpit:
    case LabProfile::drop_mid_plan:
    case LabProfile::binary_reply:
      return "closed";
    case LabProfile::open:
    case LabProfile::greylisting:  // a scanner that retries after the window sees the 250
    case LabProfile::ehlo_reject:  // found only by falling back to HELO
    case LabProfile::percent_hack:
      return "open-relay";
    case LabProfile::greylist_forever:
    case LabProfile::starttls_required:  // blocked at MAIL until the scanner speaks TLS
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

std::string LabGateway::target() const {
  return format_endpoint(address, port);
}

std::vector<LabGatewayConfig> default_lab_fleet() {
  std::vector<LabGatewayConfig> fleet;
  for (LabProfile profile :
       {LabProfile::closed, LabProfile::open, LabProfile::greylisting, LabProfile::ehlo_reject,
        LabProfile::starttls_required, LabProfile::error_limit, LabProfile::tarpit,
        LabProfile::percent_hack, LabProfile::drop_mid_plan, LabProfile::binary_reply,
        LabProfile::reject_banner}) {
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
