// JUnit XML for Jenkins and GitLab: an endpoint is a test suite, a script run against it a case.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "reports/atomic_file.hpp"
#include "reports/endpoint_source.hpp"

namespace relayaudit {

// Renders a results document (reports/results.schema.json) as JUnit XML, valid against
// tests/reports/schemas/junit.xsd (the Ant format with Jenkins' <skipped>):
// - <testsuites> holds one <testsuite> per endpoint, named "address:port (host name)", worst
//   verdict first, and one "unresolved targets" suite when a target expanded to no endpoint.
// - Each script run is a <testcase classname="relayaudit.<endpoint>" name="<script id>">, the
//   dots of the address written as '_' (Jenkins splits a class name into package and class at
//   its last dot, which would cut "127.0.0.1:25" apart):
//   a relay attempt that was accepted is a <failure type="open-relay"> carrying the envelope
//   sent, the reply and the test's transcript; an inconclusive relay attempt or control is an
//   <error type="inconclusive"> (the gateway was not proven closed, which is not a pass);
//   a probe passes and reports what it found in <system-out>.
// - An unreachable endpoint has one <testcase name="connect"> with an <error type="unreachable">,
//   and its scripts are <skipped>: none of them got to say anything.
// - A last "scan" suite carries the property relayaudit.complete (true or false) and one case,
//   "scan complete", which passes for a complete scan and is a <failure type="incomplete">
//   saying how many endpoints finished when the scan was interrupted.
// Server text is shown through visible_text, so it is legal XML 1.0 and inert.
std::string render_junit(const nlohmann::json& results);

// The same, written piece by piece into `sink`, the endpoints read from `endpoints` (twice: the
// totals come first); `results` is the document, whose own "endpoints" are not read.
bool write_junit(const nlohmann::json& results, const EndpointSource& endpoints,
                 const ChunkSink& sink);

}  // namespace relayaudit
