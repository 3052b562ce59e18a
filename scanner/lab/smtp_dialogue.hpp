// One SMTP session's protocol state: turns command lines into replies for a gateway's profile.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "lab/dialogue_reply.hpp"
#include "lab/error_policy.hpp"
#include "lab/gateway_context.hpp"

namespace relayaudit {

// Transport-free, so its rules are the same whatever the timing; the connection owns I/O.
class SmtpDialogue {
 public:
  enum class State {
    greeted,      // banner sent, no EHLO/HELO yet
    ready,        // EHLO/HELO done, no transaction
    transaction,  // MAIL accepted, taking RCPTs
    data,         // after 354, reading the message until "."
  };

  SmtpDialogue(const GatewayContext& gateway, std::string client_ip);

  // Banner lines with CRLF; the last one is the final greeting that tarpit and postscreen delay.
  std::vector<std::string> banner() const;
  // One complete input line without its line end; counts commands in LabStats.
  DialogueReply on_line(std::string_view line, std::uint64_t now_ms);
  // A command line longer than LabOptions::max_line (its rest is discarded by the reader).
  DialogueReply on_overlong_line();
  State state() const { return state_; }
  // The TLS handshake after STARTTLS completed: RFC 3207 §4.2, the session starts over.
  void tls_started();
  bool tls_active() const { return tls_active_; }

 private:
  DialogueReply on_command(std::string_view verb, std::string_view arg, std::uint64_t now_ms);
  DialogueReply on_ehlo(std::string_view verb, std::string_view arg);
  DialogueReply on_mail(std::string_view arg);
  DialogueReply on_starttls(std::string_view arg);
  DialogueReply on_xclient(std::string_view arg);
  bool offers_xclient() const;
  DialogueReply on_rcpt(std::string_view arg, std::uint64_t now_ms);
  DialogueReply rcpt_reply(std::string_view arg, std::uint64_t now_ms);
  DialogueReply on_data();
  DialogueReply on_body_line(std::string_view line);
  void reset_transaction();

  const GatewayContext& gateway_;
  std::string client_ip_;
  State state_ = State::greeted;
  std::string helo_name_;  // of the latest accepted EHLO/HELO, for the HELO holes
  std::string sender_;
  int accepted_recipients_ = 0;  // in the current transaction
  int rcpt_commands_ = 0;        // in the whole session, for drop-mid-plan
  ErrorPolicy error_policy_;     // the profile's error counting, sleeps and limits
  bool tls_active_ = false;
};

std::string_view to_string(SmtpDialogue::State state);

}  // namespace relayaudit
