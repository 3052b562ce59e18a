// One sentence that says why an endpoint got its verdict, with the evidence that decided it.
#pragma once

#include <string>
#include <vector>

#include "results/audit_result.hpp"

namespace relayaudit {

// Starts the detail of every test an endpoint could not run from the asked-for vantage
// (--xclient, --proxy-protocol): what our own address would see is never judged instead.
inline constexpr const char* kVantageNotSimulated = "vantage not simulated";

std::string explain_verdict(const EndpointResult& result);

// A test that plaintext MAIL refused until STARTTLS (530 and the like, RFC 3207 §4).
bool refused_until_tls(const TestResult& test);

// Tests ran inside TLS, and every plaintext relay attempt or control that did not pass was refused
// at MAIL until STARTTLS: plaintext relays nothing, and the TLS path alone decides the verdict.
bool tls_path_decides(const std::vector<TestResult>& tests);

// "RCPT TO:<x> -> 554 5.7.1 Relay access denied" style line for one test.
std::string describe_test(const TestResult& test);

}  // namespace relayaudit
