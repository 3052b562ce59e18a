// A hand-built ScanResult shared by the report tests: every verdict, hostile server text.
#pragma once

#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>

#include "reports/run_provenance.hpp"
#include "results/audit_result.hpp"

namespace relayaudit::testing {

// Bytes no valid UTF-8 decoder accepts, and an ANSI sequence that would recolor a terminal.
inline constexpr const char* kInvalidBytes = "\xff\xfe";
inline constexpr const char* kAnsiEscape = "\x1b[31m";

TestResult make_test(std::string id, Expectation expect, Outcome outcome, int code,
                     std::string reply_line);

EndpointResult make_endpoint(std::string address, EndpointVerdict verdict);

// Four endpoints (open relay with invalid UTF-8 in banner, capabilities, replies and
// transcript; closed; inconclusive; unreachable over IPv6) and one unresolved target.
ScanResult make_sample_scan();

// Who ran the sample scan: a user with a space, invalid bytes in the working directory and in an
// argument, one built-in and one user script.
RunProvenance make_sample_run();

// Appends `line` ([t_ms, session, dir, text(, true)]) to the endpoint transcript of a results
// document's `endpoint` and names it in the "lines" of its test number `test`, as a writer would.
void add_test_line(nlohmann::json& endpoint, std::size_t test, nlohmann::json line);

// The first open-relay endpoint of the sample scan's results document, for a test to edit.
nlohmann::json& open_relay_endpoint(nlohmann::json& document);

// One real `relayaudit scan --lab -q -o FILE` run with `binary`, as a CI job runs it. The lab has
// open relays, so any exit but 1 is a test failure (check HasFailure()). Returns the document
// written to `file`.
nlohmann::json scan_lab(const std::string& binary, const std::filesystem::path& file);

}  // namespace relayaudit::testing
