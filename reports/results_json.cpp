// Builds the results document from a ScanResult (shape: reports/results.schema.json).
#include "reports/results_json.hpp"
#include "reports/summary.hpp"

#include <cstdio>
#include <ctime>

#include "reports/domain_results.hpp"
#include "reports/output_file.hpp"
#include "reports/safe_text.hpp"
#include "reports/tls_json.hpp"
#include "reports/version.hpp"

namespace relayaudit {
namespace {

using nlohmann::json;

// Every string that is not a fixed enum name goes through here.
std::string safe(std::string_view text) {
  return escape_invalid_utf8(text, nullptr);
}

json safe_list(const std::vector<std::string>& items) {
  json out = json::array();
  for (const auto& item : items) out.push_back(safe(item));
  return out;
}

// The run options are the user's words, keys included, so they are escaped all the way down.
json safe_copy(const json& value) {
  if (value.is_string()) return safe(value.get_ref<const std::string&>());
  if (value.is_array()) {
    json out = json::array();
    for (const auto& item : value) out.push_back(safe_copy(item));
    return out;
  }
  if (value.is_object()) {
    json out = json::object();
    for (const auto& [key, item] : value.items()) out[safe(key)] = safe_copy(item);
    return out;
  }
  return value;
}

json reply_json(const Reply& reply) {
  return {
      {"code", reply.code},
      {"enhanced", reply.enhanced.empty() ? json(nullptr) : json(safe(reply.enhanced))},
      {"text", safe(reply.text())},
      {"lines", safe_list(reply.lines)},
  };
}

// A greeting step that never happened (no banner read, no EHLO sent) is null, not a zero reply.
json optional_reply_json(const Reply& reply) {
  if (reply.code == 0 && reply.lines.empty()) return nullptr;
  return reply_json(reply);
}

json transcript_json(const Transcript& transcript) {
  json out = json::array();
  for (const auto& line : transcript) {
    bool changed = false;
    json entry = {
        {"t_ms", line.at_ms},
        {"session", line.session},
        {"dir", direction_name(line.direction)},
        {"line", escape_invalid_utf8(line.line, &changed)},
    };
    if (changed) entry["escaped"] = true;
    out.push_back(std::move(entry));
  }
  return out;
}

json test_json(const TestResult& test) {
  json out = {
      {"id", safe(test.id)},
      {"title", safe(test.title)},
      {"kind", to_string(test.kind)},
      {"trick", to_string(test.trick)},
      {"tags", safe_list(test.tags)},
      {"severity", safe(test.severity)},
      {"expect", to_string(test.expect)},
      {"ehlo", safe(test.ehlo)},
      {"mail_from", safe(test.mail_from)},
      {"rcpt_to", safe_list(test.rcpt_to)},
      {"outcome", to_string(test.outcome)},
      {"stage", to_string(test.stage)},
      {"status", to_string(test.status)},
      {"reply", test.reply ? reply_json(*test.reply) : json(nullptr)},
      {"attempts", test.attempts},
      {"verdict", to_string(test.verdict)},
      {"path", test.over_tls ? "tls" : "plain"},
      {"transcript", transcript_json(test.transcript)},
  };
  if (!test.mail_domain.empty()) out["mail_domain"] = safe(test.mail_domain);
  if (!test.detail.empty()) out["detail"] = safe(test.detail);
  if (!test.refusal.empty()) out["refusal"] = test.refusal;
  if (test.data_reply) out["data_reply"] = reply_json(*test.data_reply);
  if (!test.refused_senders.empty()) {
    json refused = json::array();
    for (const auto& sender : test.refused_senders) {
      refused.push_back({{"sender", safe(sender.sender)}, {"reply", reply_json(sender.reply)}});
    }
    out["refused_senders"] = std::move(refused);
  }
  return out;
}

json ehlo_json(const Greeting& greeting) {
  json reply = optional_reply_json(greeting.ehlo);
  if (reply.is_null()) return nullptr;
  return {
      {"used_helo", greeting.used_helo},
      {"server_domain", safe(greeting.server_domain)},
      {"capabilities", safe_list(greeting.capabilities)},
      {"pipelining", greeting.pipelining},
      {"starttls", greeting.starttls},
      {"reply", std::move(reply)},
  };
}

}  // namespace

json endpoint_to_json(const EndpointResult& result) {
  const Endpoint& endpoint = result.endpoint;
  json tests = json::array();
  for (const auto& test : result.tests) tests.push_back(test_json(test));
  json out = {
      {"endpoint", safe(endpoint.key())},
      {"address", safe(endpoint.address)},
      {"port", endpoint.port},
      {"ip_version", endpoint.ipv6 ? 6 : 4},
      {"host_name", endpoint.host_name.empty() ? json(nullptr) : json(safe(endpoint.host_name))},
      {"targets", safe_list(endpoint.targets)},
      {"verdict", to_string(result.verdict)},
      {"verdict_reason", safe(result.verdict_reason)},
      {"status", to_string(result.status)},
      {"stage", to_string(result.stage)},
      {"connections", result.connections},
      {"round_trips", result.round_trips},
      {"started_ms", result.started_ms},
      {"finished_ms", result.finished_ms},
      {"banner", result.greeting ? optional_reply_json(result.greeting->banner) : json(nullptr)},
      {"ehlo", result.greeting ? ehlo_json(*result.greeting) : json(nullptr)},
      {"tests", std::move(tests)},
      {"transcript", transcript_json(result.transcript)},
  };
  if (!result.error.empty()) out["error"] = safe(result.error);
  if (!endpoint.mail_domains.empty()) out["mail_domains"] = safe_list(endpoint.mail_domains);
  if (result.domains_unchecked > 0) out["domains_unchecked"] = result.domains_unchecked;
  if (!result.dnsbl.empty()) out["dnsbl"] = dnsbl_json(result.dnsbl);
  if (json tls = tls_json(result); !tls.is_null()) out["tls"] = std::move(tls);
  if (result.evidence) {
    out["evidence"] = {{"strength", result.evidence->strength},
                       {"sink_suspected", result.evidence->sink_suspected},
                       {"detail", safe(result.evidence->detail)}};
  }
  if (!result.findings.empty()) {
    json findings = json::array();
    for (const auto& finding : result.findings) {
      json entry = {{"id", safe(finding.id)},
                    {"severity", safe(finding.severity)},
                    {"message", safe(finding.message)}};
      if (!finding.domain.empty()) entry["domain"] = safe(finding.domain);
      findings.push_back(std::move(entry));
    }
    out["findings"] = std::move(findings);
  }
  return out;
}

namespace {

json summary_json(const ScanSummary& summary) {
  return {
      {"endpoints", summary.endpoints},
      {"open_relay", summary.open_relay},
      {"closed", summary.closed},
      {"inconclusive", summary.inconclusive},
      {"unreachable", summary.unreachable},
      {"unresolved", summary.unresolved},
      {"tests", summary.tests},
      {"tests_failed", summary.tests_failed},
      {"domains", summary.domains},
      {"dnsbl_listed", summary.dnsbl_listed},
      {"verdict", to_string(summary.verdict)},
  };
}

}  // namespace

std::string format_timestamp(std::chrono::system_clock::time_point at) {
  using namespace std::chrono;
  const auto since_epoch = floor<milliseconds>(at.time_since_epoch());
  const auto whole = floor<seconds>(since_epoch);
  const auto millis = (since_epoch - whole).count();
  const std::time_t seconds_value = static_cast<std::time_t>(whole.count());
  std::tm utc{};
  if (gmtime_r(&seconds_value, &utc) == nullptr) return "1970-01-01T00:00:00.000Z";
  char text[64];
  std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900,
                utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
                static_cast<int>(millis));
  return text;
}

json results_header_json(const ScanResult& result, const RunProvenance* run) {
  json unresolved = json::array();
  for (const auto& problem : result.unresolved) {
    unresolved.push_back({
        {"target", safe(problem.target)},
        {"origin", safe(problem.origin)},
        {"status", to_string(problem.status)},
        {"message", safe(problem.message)},
    });
  }
  const auto duration =
      std::chrono::duration_cast<std::chrono::milliseconds>(result.finished - result.started);
  json header = {
      {"schema_version", kResultsSchemaVersion},
      {"tool", {{"name", "relayaudit"}, {"version", kToolVersion}}},
      {"started_at", format_timestamp(result.started)},
      {"finished_at", format_timestamp(result.finished)},
      {"duration_ms", duration.count()},
      {"complete", result.complete},
      {"options", result.options.is_null() ? json::object() : safe_copy(result.options)},
      {"scripts", safe_list(result.scripts)},
      {"summary", summary_json(summarize(result))},
      {"unresolved", std::move(unresolved)},
      {"dnsbl_zones", safe_list(result.dnsbl_zones)},
      {"domains", domains_json(result)},
      {"endpoints", json::array()},
  };
  if (run != nullptr) header["run"] = run_provenance_json(*run);
  return header;
}

json results_to_json(const ScanResult& result, const RunProvenance* run) {
  json document = results_header_json(result, run);
  json& endpoints = document["endpoints"];
  for (const auto& endpoint : result.resumed_endpoints) endpoints.push_back(endpoint);
  for (const auto& endpoint : result.endpoints) endpoints.push_back(endpoint_to_json(endpoint));
  return document;
}

std::string results_to_string(const json& document) {
  return document.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

std::optional<std::string> write_results_file(const std::filesystem::path& path,
                                              const json& document) {
  return write_output_file(path.string(), results_to_string(document));
}

std::optional<std::string> write_results_file(const std::filesystem::path& path,
                                              const ScanResult& result, const RunProvenance* run) {
  // One endpoint's JSON at a time: a whole large scan as one DOM costs several times its size.
  const std::string header = results_to_string(results_header_json(result, run));
  const std::string placeholder = "\"endpoints\": []";
  const auto split = header.find(placeholder);
  return write_output_file(path.string(), [&](const ChunkSink& sink) {
    if (!sink(std::string_view(header).substr(0, split)) || !sink("\"endpoints\": [")) return false;
    bool first = true;
    const auto emit = [&](const json& endpoint) {
      const std::string text = endpoint.dump(2, ' ', false, json::error_handler_t::replace);
      const bool ok = sink(first ? "\n" : ",\n") && sink(text);
      first = false;
      return ok;
    };
    for (const auto& endpoint : result.resumed_endpoints) {
      if (!emit(endpoint)) return false;
    }
    for (const auto& endpoint : result.endpoints) {
      if (!emit(endpoint_to_json(endpoint))) return false;
    }
    return sink(first ? "]" : "\n]") &&
           sink(std::string_view(header).substr(split + placeholder.size()));
  });
}

}  // namespace relayaudit
