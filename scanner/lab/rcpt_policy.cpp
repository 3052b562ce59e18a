// Envelope policies: closed (Postfix-like), open, greylisting, the sender check and the relay
// holes, each with Postfix's replies.
#include "lab/rcpt_policy.hpp"

#include <algorithm>
#include <array>

#include "lab/mail_address.hpp"
#include "lab/xclient_request.hpp"

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

std::string accepted() {
  return "250 2.1.5 Ok";
}

std::string relay_denied(std::string_view recipient) {
  return "554 5.7.1 <" + std::string(recipient) + ">: Relay access denied";
}

constexpr std::string_view kPureGatewayDomain = "corp.relayaudit.test";

std::string unknown_user(std::string_view recipient) {
  return "550 5.1.1 <" + std::string(recipient) +
         ">: Recipient address rejected: User unknown in local recipient table";
}

// One of the domains a pure gateway relays for (never its host name or address literal).
bool relays_for_domain(const GatewayContext& gateway, std::string_view domain) {
  return iequals(domain, kPureGatewayDomain) ||
         std::any_of(gateway.mail_domains.begin(), gateway.mail_domains.end(),
                     [&](const std::string& own) { return iequals(domain, own); });
}

// hole-routed-at-domain: the routing forms are honoured where the domain part is one it relays
// for, as a gateway that forwards its domains' mail to a hub that reparses the local part.
bool routed_at_relay_domain_relays(const GatewayContext& gateway, std::string_view recipient) {
  if (gateway.profile != LabProfile::hole_routed_at_domain) return false;
  RoutedAddress routed = parse_routed_address(recipient);
  const bool honoured_form =
      routed.form == RoutingForm::percent || routed.form == RoutingForm::bang ||
      routed.form == RoutingForm::double_at || routed.form == RoutingForm::quoted_at ||
      routed.form == RoutingForm::source_route;
  return honoured_form && routed.has_at && !routed.destination.empty() &&
         !is_local_domain(gateway, routed.destination) &&
         !relays_for_domain(gateway, routed.destination) &&
         relays_for_domain(gateway, routed.domain);
}

// A relay-only gateway: its own names are not destinations, only the domains it relays for.
std::string pure_gateway_policy(const GatewayContext& gateway, std::string_view recipient) {
  MailboxParts parts = split_mailbox(recipient);
  if (!parts.has_at && !parts.source_route && !has_routing_syntax(parts.local)) {
    return is_known_user(parts.local) ? accepted() : unknown_user(recipient);
  }
  const bool served = relays_for_domain(gateway, parts.domain);
  if (parts.source_route || !served || has_routing_syntax(parts.local)) {
    return relay_denied(recipient);
  }
  return is_known_user(parts.local) ? accepted() : unknown_user(recipient);
}

// A catch-all that relays nothing: every local part at its own names is a mailbox.
std::string catch_all_policy(const GatewayContext& gateway, std::string_view recipient) {
  MailboxParts parts = split_mailbox(recipient);
  const bool local = !parts.has_at || is_local_domain(gateway, parts.domain);
  if (parts.source_route || !local) return relay_denied(recipient);
  return accepted();
}

// What Postfix with mynetworks limited to itself answers.
std::string closed_policy(const GatewayContext& gateway, std::string_view recipient) {
  if (gateway.profile == LabProfile::pure_gateway) return pure_gateway_policy(gateway, recipient);
  if (gateway.profile == LabProfile::catch_all) return catch_all_policy(gateway, recipient);
  MailboxParts parts = split_mailbox(recipient);
  // hole-routed-at-domain also receives mail for the domain it relays for (relay_domains).
  bool local = !parts.has_at || is_local_domain(gateway, parts.domain) ||
               (gateway.profile == LabProfile::hole_routed_at_domain &&
                relays_for_domain(gateway, parts.domain));
  if (parts.source_route || !local || has_routing_syntax(parts.local)) {
    // Exim's default ACL: "deny message = relay not permitted".
    if (gateway.profile == LabProfile::exim_syntax_limit) return "550 relay not permitted";
    return relay_denied(recipient);
  }
  if (is_known_user(parts.local)) return accepted();
  return unknown_user(recipient);
}

std::string greylisting_policy(const GatewayContext& gateway, const RcptRequest& request) {
  GreylistTriplet triplet{gateway.index, request.client_ip, request.sender, request.recipient};
  if (gateway.greylist.passes(triplet, request.now_ms, gateway.options.greylist_window)) {
    return accepted();
  }
  return "450 4.2.0 <" + std::string(request.recipient) +
         ">: Recipient address rejected: Greylisted, see https://postgrey.schweikert.ch/help/";
}

// Where a recipient's checked domain points, as a hole's rule names it.
enum class DomainPart {
  none,         // no '@' at all
  empty,        // "...@": the null domain
  own_literal,  // the gateway's address literal
  own_name,     // its host name or mail domain
  foreign,
};

DomainPart domain_part(const GatewayContext& gateway, const RoutedAddress& address) {
  if (!address.has_at) return DomainPart::none;
  if (address.domain.empty()) return DomainPart::empty;
  if (iequals(address.domain, gateway.address_literal)) return DomainPart::own_literal;
  if (is_local_domain(gateway, address.domain)) return DomainPart::own_name;
  return DomainPart::foreign;
}

// A recipient hole: the gateway checks only the domain part, then honours the routing form and
// forwards to its destination.
struct RecipientHole {
  LabProfile profile;
  RoutingForm form;
  DomainPart at;
};

constexpr std::array<RecipientHole, 16> kRecipientHoles{{
    {LabProfile::percent_hack, RoutingForm::percent, DomainPart::own_literal},
    {LabProfile::hole_percent_hack_sender_check, RoutingForm::percent, DomainPart::own_literal},
    {LabProfile::hole_percent_hack_name, RoutingForm::percent, DomainPart::own_name},
    {LabProfile::hole_quoted_at, RoutingForm::quoted_at, DomainPart::none},
    {LabProfile::hole_quoted_percent, RoutingForm::quoted_percent, DomainPart::none},
    {LabProfile::hole_double_at_ip, RoutingForm::double_at, DomainPart::own_literal},
    {LabProfile::hole_double_at_name, RoutingForm::double_at, DomainPart::own_name},
    {LabProfile::hole_quoted_at_ip, RoutingForm::quoted_at, DomainPart::own_literal},
    {LabProfile::hole_quoted_at_name, RoutingForm::quoted_at, DomainPart::own_name},
    {LabProfile::hole_source_route_ip, RoutingForm::source_route, DomainPart::own_literal},
    {LabProfile::hole_source_route_name, RoutingForm::source_route, DomainPart::own_name},
    {LabProfile::hole_bang_path, RoutingForm::bang, DomainPart::none},
    {LabProfile::hole_bang_path_ip, RoutingForm::bang, DomainPart::own_literal},
    {LabProfile::hole_bang_path_name, RoutingForm::bang, DomainPart::own_name},
    {LabProfile::hole_percent_null_domain, RoutingForm::percent, DomainPart::empty},
    {LabProfile::hole_double_at_null_domain, RoutingForm::double_at, DomainPart::empty},
}};

bool recipient_hole_relays(const GatewayContext& gateway, std::string_view recipient) {
  RoutedAddress routed = parse_routed_address(recipient);
  if (routed.destination.empty() || is_local_domain(gateway, routed.destination)) return false;
  DomainPart at = domain_part(gateway, routed);
  for (const RecipientHole& hole : kRecipientHoles) {
    if (hole.profile == gateway.profile && hole.form == routed.form && hole.at == at) return true;
  }
  return false;
}

// A mailbox at a foreign domain name with nothing to route: the only recipient that sender and
// HELO holes relay to. Address literals are not destinations here ([0.0.0.0] stays refused).
std::optional<std::string> plain_external_domain(const GatewayContext& gateway,
                                                 std::string_view recipient) {
  RoutedAddress routed = parse_routed_address(recipient);
  if (routed.form != RoutingForm::plain || !routed.has_at || routed.user.empty() ||
      routed.domain.empty() || routed.domain.front() == '[' ||
      is_local_domain(gateway, routed.domain)) {
    return std::nullopt;
  }
  return routed.domain;
}

// "a.example.org" is a proper subdomain of "example.org"; "example.org" is not.
bool is_subdomain(std::string_view domain, std::string_view parent) {
  return domain.size() > parent.size() + 1 && iends_with(domain, parent) &&
         domain[domain.size() - parent.size() - 1] == '.';
}

// Sender and HELO holes: relay granted on what the client claims to be, never on who it is.
bool claim_hole_relays(const GatewayContext& gateway, const RcptRequest& request,
                       std::string_view recipient_domain) {
  MailboxParts from = split_mailbox(request.sender);
  switch (gateway.profile) {
    case LabProfile::hole_null_sender:
      return request.sender.empty();
    case LabProfile::hole_random_host_sender:  // "any host of the destination's domain"
      return from.has_at && is_subdomain(from.domain, recipient_domain);
    case LabProfile::hole_localhost_sender:
      return from.has_at && iequals(from.domain, "localhost");
    case LabProfile::hole_unqualified_sender:
      return !request.sender.empty() && !from.has_at;
    case LabProfile::hole_host_name_sender:
      return from.has_at && iequals(from.domain, gateway.host_name);
    case LabProfile::hole_spoofed_local_sender:
      return from.has_at && iequals(from.domain, kLabDomain);
    case LabProfile::hole_ip_literal_sender:
      return from.has_at && iequals(from.domain, gateway.address_literal);
    case LabProfile::hole_postmaster_sender:
      return from.has_at && iequals(from.local, "postmaster") &&
             is_local_domain(gateway, from.domain);
    case LabProfile::hole_helo_localhost:
      return iequals(request.helo_name, "localhost");
    case LabProfile::hole_helo_own_name:
      return iequals(request.helo_name, gateway.host_name);
    case LabProfile::hole_helo_ip_literal:
      return iequals(request.helo_name, gateway.address_literal);
    default:
      return false;
  }
}

bool has_sender_check(LabProfile profile) {
  return profile == LabProfile::sender_check ||
         profile == LabProfile::hole_percent_hack_sender_check;
}

}  // namespace

bool is_local_domain(const GatewayContext& gateway, std::string_view domain) {
  return iequals(domain, gateway.host_name) || iequals(domain, kLabDomain) ||
         iequals(domain, gateway.address_literal) ||
         std::any_of(gateway.mail_domains.begin(), gateway.mail_domains.end(),
                     [&](const std::string& own) { return iequals(domain, own); });
}

// reject_unknown_sender_domain as the lab can judge it without DNS: ".invalid" (RFC 2606) never
// resolves, and no domain, a literal or "localhost" is not a domain mail can come back to.
std::optional<std::string> refuse_sender(const GatewayContext& gateway, std::string_view sender) {
  if (!has_sender_check(gateway.profile) || sender.empty()) return std::nullopt;
  MailboxParts from = split_mailbox(sender);
  if (from.has_at &&
      (iequals(from.domain, gateway.host_name) || iequals(from.domain, kLabDomain))) {
    return std::nullopt;
  }
  bool unknown = !from.has_at || from.domain.empty() || from.domain.front() == '[' ||
                 iequals(from.domain, "localhost") || iequals(from.domain, "invalid") ||
                 iends_with(from.domain, ".invalid");
  if (!unknown) return std::nullopt;
  return "553 5.1.8 <" + std::string(sender) + ">: Sender address rejected: Domain not found";
}

std::string decide_rcpt(const GatewayContext& gateway, const RcptRequest& request) {
  switch (gateway.profile) {
    case LabProfile::open:
    case LabProfile::open_silent_quit:
    case LabProfile::ehlo_reject:
    case LabProfile::starttls_required:  // MAIL is refused until TLS: only reached inside it
    case LabProfile::smtps:
      return accepted();
    case LabProfile::greylisting:
      return greylisting_policy(gateway, request);
    case LabProfile::greylist_forever:
      return "450 4.7.1 <" + std::string(request.recipient) +
             ">: Recipient address rejected: Try again later";
    case LabProfile::trusts_runner:
    case LabProfile::trusts_runner_proxy:
    case LabProfile::xclient_refused:
    case LabProfile::proxy_garbage:
      // permit_mynetworks before reject_unauth_destination.
      if (is_loopback_client(request.client_ip)) return accepted();
      break;
    case LabProfile::hole_after_local_recipient:
      // The relay decision was the first recipient's, and it stands for the whole transaction.
      if (request.accepted_before > 0) return accepted();
      break;
    default:
      break;
  }
  if (recipient_hole_relays(gateway, request.recipient) ||
      routed_at_relay_domain_relays(gateway, request.recipient)) {
    return accepted();
  }
  if (auto domain = plain_external_domain(gateway, request.recipient);
      domain && claim_hole_relays(gateway, request, *domain)) {
    return accepted();
  }
  return closed_policy(gateway, request.recipient);
}

}  // namespace relayaudit
