// One sentence that says why an endpoint got its verdict, with the evidence that decided it.
#pragma once

#include <string>

#include "results/audit_result.hpp"

namespace relayaudit {

std::string explain_verdict(const EndpointResult& result);

// "RCPT TO:<x> -> 554 5.7.1 Relay access denied" style line for one test.
std::string describe_test(const TestResult& test);

}  // namespace relayaudit
