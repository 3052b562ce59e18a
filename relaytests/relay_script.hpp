// A relay-attempt script or control, as loaded from a JSON data file.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/verdict.hpp"

namespace relayaudit {

enum class ScriptKind { relay, control, probe };

// What a script varies. Sender tricks refused at MAIL FROM count as rejected; for the others the
// sender is incidental, so a refused sender is replaced by one the server accepts.
enum class ScriptTrick { baseline, sender, recipient, helo, control, probe };

inline std::string_view to_string(ScriptKind kind) {
  switch (kind) {
    case ScriptKind::relay:
      return "relay";
    case ScriptKind::control:
      return "control";
    case ScriptKind::probe:
      return "probe";
  }
  return "relay";
}

inline std::string_view to_string(ScriptTrick trick) {
  switch (trick) {
    case ScriptTrick::baseline:
      return "baseline";
    case ScriptTrick::sender:
      return "sender";
    case ScriptTrick::recipient:
      return "recipient";
    case ScriptTrick::helo:
      return "helo";
    case ScriptTrick::control:
      return "control";
    case ScriptTrick::probe:
      return "probe";
  }
  return "baseline";
}

struct RelayScript {
  std::string id;  // stable, lowercase-hyphen ("relay-external-sender")
  ScriptKind kind = ScriptKind::relay;
  std::string title;        // one line
  std::string description;  // what it sends and why
  std::string catches;      // the misconfiguration acceptance reveals
  std::string severity;     // critical | high | medium | low | info
  std::vector<std::string> references;
  std::vector<std::string> tags;
  std::vector<std::string> opened_by;  // MTA settings known to open this hole
  std::string ehlo;                    // template; empty means the scan's --ehlo-name
  std::string mail_from;               // template, without angle brackets ("" is the null sender)
  std::vector<std::string> rcpt_to;    // templates; the last one is decisive
  Expectation expect = Expectation::reject;
  ScriptTrick trick = ScriptTrick::baseline;
  std::vector<int> ports;  // only endpoints on these ports; empty: every port
  std::string source;      // "builtin:core/relay-external.json" or a file path
  std::string sha256;      // of the definition's bytes as loaded (script_digest)
};

}  // namespace relayaudit
