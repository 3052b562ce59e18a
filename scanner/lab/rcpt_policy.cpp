// RCPT policies: closed (Postfix-like), open, greylisting, percent-hack and their replies.
#include "lab/rcpt_policy.hpp"

#include <array>

#include "lab/mail_address.hpp"

namespace relayaudit {

namespace {

constexpr std::string_view kLabDomain = "lab.relayaudit.test";
constexpr std::array<std::string_view, 5> kLocalUsers{"postmaster", "abuse", "hostmaster", "alice",
                                                      "bob"};

bool is_known_user(std::string_view local) {
  for (auto user : kLocalUsers) {
    if (iequals(user, local)) return true;
  }
  return false;
}

// A local part that could route the message onward: user%host, host!user, "quoted@tricks".
bool has_routing_syntax(std::string_view local) {
  return local.find_first_of("%!@\"") != std::string_view::npos;
}

std::string accepted() {
  return "250 2.1.5 Ok";
}

std::string relay_denied(std::string_view recipient) {
  return "554 5.7.1 <" + std::string(recipient) + ">: Relay access denied";
}

// What Postfix with mynetworks limited to itself answers.
std::string closed_policy(const GatewayContext& gateway, std::string_view recipient) {
  MailboxParts parts = split_mailbox(recipient);
  bool local = !parts.has_at || is_local_domain(gateway, parts.domain);
  if (parts.source_route || !local || has_routing_syntax(parts.local)) {
    return relay_denied(recipient);
  }
  if (is_known_user(parts.local)) return accepted();
  return "550 5.1.1 <" + std::string(recipient) +
         ">: Recipient address rejected: User unknown in local recipient table";
}

// The classic hole: user%elsewhere@local-domain is rewritten to user@elsewhere and relayed.
std::string percent_hack_policy(const GatewayContext& gateway, std::string_view recipient) {
  MailboxParts parts = split_mailbox(recipient);
  auto percent = parts.local.rfind('%');
  bool rewritable = !parts.source_route && parts.has_at && percent != std::string::npos &&
                    percent > 0 && percent + 1 < parts.local.size() &&
                    parts.local.find_first_of("!@\"") == std::string::npos &&
                    is_local_domain(gateway, parts.domain);
  if (rewritable) return accepted();  // relayed to local[0, percent) @ local[percent + 1, end)
  return closed_policy(gateway, recipient);
}

std::string greylisting_policy(const GatewayContext& gateway, const RcptRequest& request) {
  GreylistTriplet triplet{gateway.index, request.client_ip, request.sender, request.recipient};
  if (gateway.greylist.passes(triplet, request.now_ms, gateway.options.greylist_window)) {
    return accepted();
  }
  return "450 4.2.0 <" + std::string(request.recipient) +
         ">: Recipient address rejected: Greylisted, see https://postgrey.schweikert.ch/help/";
}

}  // namespace

bool is_local_domain(const GatewayContext& gateway, std::string_view domain) {
  return iequals(domain, gateway.host_name) || iequals(domain, kLabDomain) ||
         iequals(domain, gateway.address_literal);
}

std::string decide_rcpt(const GatewayContext& gateway, const RcptRequest& request) {
  switch (gateway.profile) {
    case LabProfile::open:
    case LabProfile::ehlo_reject:
      return accepted();
    case LabProfile::greylisting:
      return greylisting_policy(gateway, request);
    case LabProfile::greylist_forever:
      return "450 4.7.1 <" + std::string(request.recipient) +
             ">: Recipient address rejected: Try again later";
    case LabProfile::percent_hack:
      return percent_hack_policy(gateway, request.recipient);
    default:
      return closed_policy(gateway, request.recipient);
  }
}

}  // namespace relayaudit
