// Error counting, error sleeps, tarpits and too-many-errors drops, as Postfix, Exchange and Exim
// do them (the exact rules are in error_policy.hpp).
#include "lab/error_policy.hpp"

#include <algorithm>
#include <string>
#include <utility>

#include "lab/mail_address.hpp"

namespace relayaudit {

namespace {

bool is_error(const DialogueReply& reply) {
  return !reply.text.empty() && (reply.text.front() == '4' || reply.text.front() == '5');
}

bool is_protocol_error(const DialogueReply& reply) {
  const std::string_view code = std::string_view(reply.text).substr(0, 3);
  return code == "500" || code == "501" || code == "503" || code == "504";
}

// The last line of `text` becomes a continuation line, so that `line` can end the reply.
std::string continued_by(std::string text, std::string_view line) {
  const std::size_t before_last = text.size() >= 3 ? text.rfind("\r\n", text.size() - 3) : 0;
  const std::size_t last = before_last == std::string::npos ? 0 : before_last + 2;
  if (last + 3 < text.size()) text[last + 3] = '-';
  return text.append(line).append("\r\n");
}

}  // namespace

void ErrorPolicy::apply(DialogueReply& reply, std::string_view verb) {
  const LabOptions& options = gateway_.options;
  // Postfix sleeps in smtpd_chat_reply() before any reply, RSET and QUIT too, once
  // error_count >= smtpd_soft_error_limit; the count grows after the failing reply is sent.
  if (gateway_.profile == LabProfile::error_sleep && errors_ >= options.soft_error_limit) {
    reply.delay += options.error_sleep;
  }
  if (gateway_.profile == LabProfile::exchange_tarpit && iequals(verb, "RCPT") &&
      !reply.text.empty() && reply.text.front() == '5') {
    reply.delay += options.tarpit_delay;
  }
  const bool error = is_error(reply);
  const bool protocol_error = is_protocol_error(reply);
  if (error) {
    ++errors_;
    gateway_.stats.peak_errors_per_connection =
        std::max<std::uint64_t>(gateway_.stats.peak_errors_per_connection, errors_);
  }
  if (protocol_error) ++protocol_errors_;
  apply_limits(reply, error, protocol_error);
}

void ErrorPolicy::apply_limits(DialogueReply& reply, bool error, bool protocol_error) {
  const LabOptions& options = gateway_.options;
  const std::string& host = gateway_.host_name;
  switch (gateway_.profile) {
    case LabProfile::error_limit:
      if (!error || errors_ < options.error_limit) return;
      reply.text = "421 4.7.0 " + host + " Error: too many errors\r\n";
      break;
    case LabProfile::error_sleep:
      // smtpd_proto() checks the hard limit before it reads the next command.
      if (!error || errors_ < options.hard_error_limit) return;
      reply.follow_up = "421 4.7.0 " + host + " Error: too many errors\r\n";
      reply.follow_up_delay = errors_ >= options.soft_error_limit ? options.error_sleep : Millis{0};
      break;
    case LabProfile::exchange_tarpit:
      if (!protocol_error || protocol_errors_ < options.protocol_error_limit) return;
      reply.follow_up =
          "421 4.7.0 Too many errors on this connection, closing transmission channel\r\n";
      break;
    case LabProfile::exim_syntax_limit:
      // smtp_max_synprot_errors: "if the number of errors exceeds this, the connection is
      // dropped", so the error numbered syntax_error_limit + 1 is the last one answered.
      if (!protocol_error || protocol_errors_ <= options.syntax_error_limit) return;
      {
        const std::string last_line =
            reply.text.substr(0, 3) + " Too many syntax or protocol errors";
        reply.text = continued_by(std::move(reply.text), last_line);
      }
      break;
    default:
      return;
  }
  reply.after = AfterReply::close;
  ++gateway_.stats.error_limit_drops;
}

}  // namespace relayaudit
