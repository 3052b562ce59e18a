// The human summary printed after a scan, and the live progress line printed during it.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "reports/endpoint_digest.hpp"
#include "results/audit_result.hpp"

namespace relayaudit {

// A header with counts per verdict, then one line per endpoint (open relays first) with its
// reason; under an open relay the relay attempts it accepted, under an unreachable or
// inconclusive endpoint where and why it stopped. ANSI colors only when `color` is true. Every
// piece of server or user text is passed through terminal_safe, so it cannot drive the terminal.
void print_text_summary(std::ostream& out, const ScanResult& result, bool color);

// The same for a scan whose endpoints are no longer in memory: `endpoints` are their digests in
// document order, each with its summary_text (endpoints without one are counted, not listed).
// Of `result`, only the unresolved targets, the domains and `complete` are read.
void print_text_summary(std::ostream& out, const ScanResult& result,
                        const std::vector<EndpointDigest>& endpoints, bool color);

// The lines print_text_summary shows for one endpoint: its verdict line, then the evidence.
std::string endpoint_summary_text(const EndpointResult& endpoint, bool color);

// What a running scan has done and what it waits on.
struct ScanProgress {
  int done = 0;
  int total = 0;
  int open = 0;
  std::int64_t elapsed_ms = -1;      // -1: not shown
  int waiting_for_greylisting = 0;   // audits doing nothing but waiting out a greylist delay
  std::int64_t longest_wait_ms = 0;  // the longest of those waits still to go
};

// "12/40 endpoints audited (30%), 1 open relay, 8 s elapsed, about 19 s left; 3 endpoints
// waiting 54 s for greylisting" with no line ending, so the caller decides whether to redraw it
// with '\r' or print it as a log line. The estimate comes once an endpoint is done.
std::string progress_line(const ScanProgress& progress);
std::string progress_line(int done, int total, int open);

}  // namespace relayaudit
