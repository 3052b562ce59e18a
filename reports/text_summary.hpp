// The human summary printed after a scan, and the live progress line printed during it.
#pragma once

#include <ostream>
#include <string>

#include "results/audit_result.hpp"

namespace relayaudit {

// A header with counts per verdict, then one line per endpoint (open relays first) with its
// reason; under an open relay the relay attempts it accepted, under an unreachable or
// inconclusive endpoint where and why it stopped. ANSI colors only when `color` is true. Every
// piece of server or user text is passed through terminal_safe, so it cannot drive the terminal.
void print_text_summary(std::ostream& out, const ScanResult& result, bool color);

// "12/40 endpoints audited (30%), 1 open relay" with no line ending, so the caller decides
// whether to redraw it with '\r' or print it as a log line.
std::string progress_line(int done, int total, int open);

}  // namespace relayaudit
