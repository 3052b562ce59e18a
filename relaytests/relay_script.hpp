// A relay-attempt script or control, as loaded from a JSON data file.
#pragma once

#include <string>
#include <vector>

#include "core/verdict.hpp"

namespace relayaudit {

enum class ScriptKind { relay, control };

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
  std::string source;  // "builtin:core/relay-external.json" or a file path
};

}  // namespace relayaudit
