// Exim-like 501s for routed recipients and domainless senders (wording of Exim's smtp_in.c).
#include "lab/syntax_refusal.hpp"

#include "lab/mail_address.hpp"

namespace relayaudit {

namespace {

std::string syntax_error(std::string_view data, std::string_view message) {
  return "501 " + std::string(data) + ": " + std::string(message);
}

}  // namespace

std::optional<std::string> refuse_sender_syntax(const GatewayContext& gateway,
                                                std::string_view data, std::string_view address) {
  if (gateway.profile != LabProfile::exim_syntax_limit || address.empty()) return std::nullopt;
  const MailboxParts parts = split_mailbox(address);
  if (parts.has_at && !parts.domain.empty()) return std::nullopt;
  return syntax_error(data, "sender address must contain a domain");
}

std::optional<std::string> refuse_recipient_syntax(const GatewayContext& gateway,
                                                   std::string_view data,
                                                   std::string_view address) {
  if (gateway.profile != LabProfile::exim_syntax_limit) return std::nullopt;
  const MailboxParts parts = split_mailbox(address);
  if (parts.source_route) return syntax_error(data, "malformed address: source route");
  if (has_routing_syntax(parts.local)) {
    return syntax_error(data, "malformed address: routing characters in the local part");
  }
  return std::nullopt;
}

}  // namespace relayaudit
