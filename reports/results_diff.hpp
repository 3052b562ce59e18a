// Compares two results documents: the nightly regression check behind `relayaudit diff`.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace relayaudit {

// An endpoint whose verdict differs between the two scans ("" when absent from one of them).
struct EndpointChange {
  std::string endpoint;  // the document's "endpoint" key, "address:port"
  std::string before;
  std::string after;
  std::vector<std::string> failing_scripts;  // relay attempts accepted in the current scan
};

// A script whose verdict on an endpoint changed to or from "fail".
struct ScriptChange {
  std::string endpoint;
  std::string script;
  std::string before;  // "" when the script did not run there in the baseline
  std::string after;   // "" when it no longer runs there
};

// Endpoints are matched by their "endpoint" key. Every list is in the current (or, for removed
// endpoints, the baseline) document's order.
struct ResultsDiff {
  std::vector<EndpointChange> new_open_relays;  // now open-relay: was not, or is new to the scan
  std::vector<ScriptChange> newly_failing;      // a new accepted relay attempt on an endpoint that
                                                // was already an open relay
  std::vector<EndpointChange> fixed;            // was open-relay, now closed
  std::vector<ScriptChange> no_longer_failing;  // on an endpoint that is still an open relay
  std::vector<EndpointChange> other_changes;    // any other verdict change, open-relay ->
                                                // inconclusive/unreachable included (no longer
                                                // proven open, not proven fixed)
  std::vector<EndpointChange> added;            // in the current scan only (before is "")
  std::vector<EndpointChange> removed;          // in the baseline only (after is "")
  bool current_complete = true;  // false: "removed" may only mean "not audited this time"
};

// What is wrong with a document for diffing (not an object, no "endpoints" array, an endpoint
// without a string "endpoint" or a known "verdict", a duplicated endpoint, a test without "id"
// and "verdict", a schema_version of another major), naming the JSON pointer; nullopt when fine.
std::optional<std::string> diff_input_problem(const nlohmann::json& document);

// Both documents must have passed diff_input_problem.
ResultsDiff diff_results(const nlohmann::json& baseline, const nlohmann::json& current);

// A new open relay or a newly failing script: the change that fails a nightly job.
bool relaying_got_worse(const ResultsDiff& diff);

// An endpoint that moved to inconclusive or unreachable from a better verdict (closed, or
// unreachable to inconclusive), or is new and not closed: fails only with --fail-on inconclusive.
bool coverage_got_worse(const ResultsDiff& diff);

// The human report: one section per non-empty list, then a one-line result. Endpoint and script
// names pass through terminal_safe, so a hostile document cannot drive the terminal.
std::string diff_to_text(const ResultsDiff& diff);

// The same as JSON: every list, plus "worse" (relaying_got_worse) and "coverage_worse".
nlohmann::json diff_to_json(const ResultsDiff& diff);

}  // namespace relayaudit
