// Weighing an open-relay verdict's evidence, and the findings of informational probes.
#pragma once

#include <vector>

#include "core/verdict.hpp"
#include "results/audit_result.hpp"
#include "results/finding_ids.hpp"

namespace relayaudit {

// Ids of the probes whose answers grade the evidence (relaytests/core/).
inline constexpr const char* kProbeUnknownLocal = "probe-unknown-local-recipient";
inline constexpr const char* kProbeUnroutable = "probe-unroutable-recipient";
// Tag of recipient tricks whose decisive RCPT uses routing syntax (%, !, quotes, @@, routes).
inline constexpr const char* kAddressFormTag = "address-form";

// A probe passes when rejected and is `info` (a finding) when accepted; it never fails.
TestVerdict judge_probe(Outcome outcome);

// direct: a plain external recipient was accepted. address-form: only routing-syntax forms
// were accepted by a server that refuses unknown local users. weak: only such forms, by a
// server that takes any local part, which some MTAs then treat as a mailbox name and never
// relay (relay-variants.md §5a). sink_suspected: even unroutable recipients are accepted.
RelayEvidence weigh_evidence(const std::vector<TestResult>& tests);

// One finding per accepted probe.
std::vector<Finding> probe_findings(const std::vector<TestResult>& tests);

// Controls addressed to a mail domain from DNS that were refused with 5xx: this MX would bounce
// or queue that domain's mail (a backup MX that does not list the domain as a relay domain).
std::vector<Finding> domain_refusal_findings(const std::vector<TestResult>& tests,
                                             const std::string& host_name);

}  // namespace relayaudit
