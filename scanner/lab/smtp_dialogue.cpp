// The lab's SMTP command handling (RFC 5321, Postfix wording), shaped per profile.
#include "lab/smtp_dialogue.hpp"

#include <utility>

#include "lab/mail_address.hpp"
#include "lab/rcpt_policy.hpp"
#include "lab/syntax_refusal.hpp"
#include "lab/tls_hostility.hpp"
#include "lab/xclient_request.hpp"

namespace relayaudit {

namespace {

DialogueReply reply(std::string line, AfterReply after = AfterReply::keep_open) {
  return DialogueReply{line.append("\r\n"), after};
}

bool offers_starttls(LabProfile profile) {
  return profile == LabProfile::starttls_required || profile == LabProfile::starttls_offered ||
         profile == LabProfile::starttls_broken || profile == LabProfile::starttls_extra_reply ||
         profile == LabProfile::starttls_plain_open || profile == LabProfile::expired_cert ||
         profile == LabProfile::wrong_host_cert || is_tls_profile(profile);
}

bool uses_greeting(LabProfile profile) {
  return profile != LabProfile::silent && profile != LabProfile::endless_reply &&
         profile != LabProfile::huge_line && profile != LabProfile::truncated_close;
}

// Bytes that are not UTF-8, control characters and markup: what a report writer must escape.
constexpr std::string_view kBinaryBanner =
    " ESMTP \xff\xfe <script>alert(1)</script> ]]> \"quoted\" \x01\x07 \xc3\x28";
constexpr std::string_view kBinaryRcptSuffix = " \xff\xc0 <b>x</b>";
constexpr std::string_view kBinaryEhloSuffix = " \xe2\x28\xa1";

std::string_view trimmed(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  return text;
}

}  // namespace

std::string_view to_string(SmtpDialogue::State state) {
  switch (state) {
    case SmtpDialogue::State::greeted:
      return "greeted";
    case SmtpDialogue::State::ready:
      return "ready";
    case SmtpDialogue::State::transaction:
      return "transaction";
    case SmtpDialogue::State::data:
      return "data";
  }
  return "greeted";
}

SmtpDialogue::SmtpDialogue(const GatewayContext& gateway, std::string client_ip)
    : gateway_(gateway), client_ip_(std::move(client_ip)), error_policy_(gateway) {}

std::vector<std::string> SmtpDialogue::banner() const {
  const std::string& host = gateway_.host_name;
  switch (gateway_.profile) {
    case LabProfile::tarpit:  // postscreen style: a continuation line, then the real greeting
    case LabProfile::postscreen:
      return {"220-" + host + " ESMTP\r\n", "220 " + host + " ESMTP relayaudit-lab\r\n"};
    case LabProfile::reject_banner:
      return {"554 5.3.2 " + host + " No SMTP service here\r\n"};
    case LabProfile::binary_reply:
      return {"220 " + host + std::string(kBinaryBanner) + "\r\n"};
    default:
      if (!uses_greeting(gateway_.profile)) return {};
      return {"220 " + host + " ESMTP relayaudit-lab\r\n"};
  }
}

DialogueReply SmtpDialogue::on_line(std::string_view line, std::uint64_t now_ms) {
  if (state_ == State::data) return on_body_line(line);
  ++gateway_.stats.commands;
  auto space = line.find(' ');
  std::string_view verb = line.substr(0, space);
  std::string_view arg =
      space == std::string_view::npos ? std::string_view{} : line.substr(space + 1);
  while (!arg.empty() && arg.front() == ' ') arg.remove_prefix(1);
  while (!arg.empty() && arg.back() == ' ') arg.remove_suffix(1);
  DialogueReply result = on_command(verb, arg, now_ms);
  error_policy_.apply(result, verb);
  return result;
}

DialogueReply SmtpDialogue::on_overlong_line() {
  if (state_ == State::data) return {};  // message content is not ours to judge
  ++gateway_.stats.commands;
  DialogueReply result = reply("500 5.5.2 Error: line too long");
  error_policy_.apply(result, {});
  return result;
}

DialogueReply SmtpDialogue::on_command(std::string_view verb, std::string_view arg,
                                       std::uint64_t now_ms) {
  if (gateway_.profile == LabProfile::reject_banner) {
    if (iequals(verb, "QUIT")) return reply("221 2.0.0 Bye", AfterReply::close);
    return reply("503 5.5.1 Error: no SMTP service");
  }
  if (iequals(verb, "EHLO") || iequals(verb, "HELO")) return on_ehlo(verb, arg);
  if (iequals(verb, "MAIL")) return on_mail(arg);
  if (iequals(verb, "RCPT")) return on_rcpt(arg, now_ms);
  if (iequals(verb, "DATA")) return on_data();
  if (iequals(verb, "RSET")) {
    reset_transaction();
    // Like Postfix with smtpd_tls_security_level = encrypt: RSET is no exception (RFC 3207 §4).
    if (gateway_.profile == LabProfile::starttls_required && !tls_active_) {
      return reply("530 5.7.0 Must issue a STARTTLS command first");
    }
    return reply("250 2.0.0 Ok");
  }
  if (iequals(verb, "NOOP")) return reply("250 2.0.0 Ok");
  if (iequals(verb, "QUIT")) return reply("221 2.0.0 Bye", AfterReply::close);
  if (iequals(verb, "VRFY")) return reply("252 2.0.0 Cannot VRFY user");
  if (iequals(verb, "STARTTLS")) return on_starttls(arg);
  if (iequals(verb, "XCLIENT") && (gateway_.profile == LabProfile::trusts_runner ||
                                   gateway_.profile == LabProfile::xclient_refused)) {
    return on_xclient(arg);
  }
  if (verb.empty()) return reply("500 5.5.2 Error: bad syntax");
  return reply("502 5.5.2 Error: command not recognized");
}

DialogueReply SmtpDialogue::on_ehlo(std::string_view verb, std::string_view arg) {
  bool extended = iequals(verb, "EHLO");
  if (extended && gateway_.profile == LabProfile::ehlo_reject) {
    return reply("502 5.5.2 Error: command not recognized");
  }
  if (arg.empty()) {
    return reply(extended ? "501 5.5.4 Syntax: EHLO hostname" : "501 5.5.4 Syntax: HELO hostname");
  }
  reset_transaction();
  state_ = State::ready;
  helo_name_ = std::string(arg);
  const std::string& host = gateway_.host_name;
  if (!extended) return reply("250 " + host);
  std::string text = "250-" + host;
  if (gateway_.profile == LabProfile::binary_reply) text.append(kBinaryEhloSuffix);
  text.append("\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n");
  if (offers_starttls(gateway_.profile) && !tls_active_) text.append("250-STARTTLS\r\n");
  if (offers_xclient()) text.append("250-XCLIENT ").append(kLabXclientAttributes).append("\r\n");
  text.append("250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n");
  return DialogueReply{std::move(text), AfterReply::keep_open};
}

DialogueReply SmtpDialogue::on_starttls(std::string_view arg) {
  if (!arg.empty()) return reply("501 5.5.4 Syntax: STARTTLS");
  if (tls_active_) return reply("554 5.5.1 Error: TLS already active");
  if (gateway_.tls == nullptr || gateway_.profile == LabProfile::starttls_broken ||
      !offers_starttls(gateway_.profile)) {
    return reply("454 4.7.0 TLS not available due to local problem");
  }
  return reply("220 2.0.0 Ready to start TLS", AfterReply::start_tls);
}

// smtpd_authorized_xclient_hosts = 127.0.0.0/8: offered to a loopback client only, so no longer
// once XCLIENT made the session another client's.
bool SmtpDialogue::offers_xclient() const {
  const bool trusting = gateway_.profile == LabProfile::trusts_runner ||
                        gateway_.profile == LabProfile::xclient_refused;
  return trusting && is_loopback_client(client_ip_);
}

// Postfix: a new client's session, greeted with 220 and waiting for EHLO again.
DialogueReply SmtpDialogue::on_xclient(std::string_view arg) {
  if (!offers_xclient() || gateway_.profile == LabProfile::xclient_refused) {
    return reply("550 5.7.0 Error: insufficient authorization");
  }
  if (state_ == State::transaction) return reply("503 5.5.1 Error: MAIL transaction in progress");
  XclientRequest request = parse_xclient_request(arg);
  if (!request.error.empty()) return reply(std::move(request.error));
  if (request.addr) client_ip_ = std::move(*request.addr);
  helo_name_ = request.helo.value_or(std::string());
  reset_transaction();
  state_ = State::greeted;
  return reply("220 " + gateway_.host_name + " ESMTP relayaudit-lab");
}

void SmtpDialogue::tls_started() {
  tls_active_ = true;
  reset_transaction();
  state_ = State::greeted;
  helo_name_.clear();
}

DialogueReply SmtpDialogue::on_mail(std::string_view arg) {
  if (state_ == State::greeted) return reply("503 5.5.1 Error: send HELO/EHLO first");
  if (state_ == State::transaction) return reply("503 5.5.1 Error: nested MAIL command");
  if (gateway_.profile == LabProfile::starttls_required && !tls_active_) {
    return reply("530 5.7.0 Must issue a STARTTLS command first");
  }
  if (!istarts_with(arg, "FROM:")) return reply("501 5.1.7 Bad sender address syntax");
  auto path = parse_envelope_path(arg.substr(5));
  if (!path) return reply("501 5.1.7 Bad sender address syntax");
  if (auto refusal = refuse_sender_syntax(gateway_, trimmed(arg.substr(5)), path->address)) {
    return reply(std::move(*refusal));
  }
  if (auto refusal = refuse_sender(gateway_, path->address)) return reply(std::move(*refusal));
  sender_ = std::move(path->address);  // the null sender "<>" leaves it empty, and is fine
  accepted_recipients_ = 0;
  state_ = State::transaction;
  return reply("250 2.1.0 Ok");
}

DialogueReply SmtpDialogue::on_rcpt(std::string_view arg, std::uint64_t now_ms) {
  ++rcpt_commands_;
  if (gateway_.profile == LabProfile::drop_mid_plan &&
      rcpt_commands_ == gateway_.options.drop_at_rcpt) {
    return DialogueReply{{}, AfterReply::drop};
  }
  DialogueReply result = rcpt_reply(arg, now_ms);
  if (gateway_.profile == LabProfile::binary_reply) {
    result.text.insert(result.text.size() - 2, kBinaryRcptSuffix);
  }
  return result;
}

DialogueReply SmtpDialogue::rcpt_reply(std::string_view arg, std::uint64_t now_ms) {
  if (state_ != State::transaction) return reply("503 5.5.1 Error: need MAIL command");
  std::optional<EnvelopePath> path;
  if (istarts_with(arg, "TO:")) path = parse_envelope_path(arg.substr(3));
  if (!path || path->address.empty()) return reply("501 5.1.3 Bad recipient address syntax");
  if (auto refusal = refuse_recipient_syntax(gateway_, trimmed(arg.substr(3)), path->address)) {
    return reply(std::move(*refusal));
  }
  if (gateway_.profile == LabProfile::starttls_plain_open && !tls_active_) {
    ++accepted_recipients_;
    return reply("250 2.1.5 Ok");  // relay rules only guard the TLS path
  }
  DialogueReply result =
      reply(decide_rcpt(gateway_, RcptRequest{client_ip_, helo_name_, sender_, path->address,
                                              now_ms, accepted_recipients_}));
  if (result.text.front() == '2') ++accepted_recipients_;
  return result;
}

DialogueReply SmtpDialogue::on_data() {
  ++gateway_.stats.data_commands;
  if (state_ != State::transaction || accepted_recipients_ == 0) {
    return reply("554 5.5.1 Error: no valid recipients");
  }
  state_ = State::data;
  return reply("354 End data with <CR><LF>.<CR><LF>");
}

DialogueReply SmtpDialogue::on_body_line(std::string_view line) {
  if (line != ".") return {};
  ++gateway_.stats.messages_queued;
  reset_transaction();
  state_ = State::ready;
  return reply("250 2.0.0 Ok: queued as LAB");  // nothing is stored: the lab never relays
}

void SmtpDialogue::reset_transaction() {
  sender_.clear();
  accepted_recipients_ = 0;
  if (state_ == State::transaction) state_ = State::ready;
}

}  // namespace relayaudit
