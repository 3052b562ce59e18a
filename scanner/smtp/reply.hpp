// One complete SMTP server reply: code, enhanced status code and every line.
#pragma once

#include <string>
#include <vector>

namespace relayaudit {

struct Reply {
  int code = 0;
  std::string enhanced;            // "5.7.1" when the first line carries an RFC 3463 code
  std::vector<std::string> lines;  // raw lines as received, without CRLF ("250-PIPELINING")

  // Text of every line after the code and separator, joined by '\n', enhanced code kept.
  std::string text() const;
  // Text of line i after "ddd-" / "ddd ".
  std::string line_text(std::size_t i) const;

  int klass() const { return code / 100; }
  bool positive() const { return klass() == 2; }
  bool transient() const { return klass() == 4; }
  bool permanent() const { return klass() == 5; }
};

}  // namespace relayaudit
