// Builds an endpoint object of the results document from an EndpointResult.
#include "reports/endpoint_json.hpp"

#include "reports/domain_results.hpp"
#include "reports/safe_text.hpp"
#include "reports/tls_json.hpp"
#include "reports/transcript_merge.hpp"

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

// A greeting step that never happened (no banner read, no EHLO sent) is null, not a zero reply.
json optional_reply_json(const Reply& reply) {
  if (reply.code == 0 && reply.lines.empty()) return nullptr;
  return reply_json(reply);
}

// [t_ms, session, dir, line], and a fifth element true when the line was escaped.
json transcript_line_json(const TranscriptLine& line) {
  bool changed = false;
  json out = json::array({line.at_ms, line.session, direction_name(line.direction),
                          escape_invalid_utf8(line.line, &changed)});
  if (changed) out.push_back(true);
  return out;
}

json ranges_json(const std::vector<LineRange>& ranges) {
  json out = json::array();
  for (const auto& range : ranges) out.push_back(json::array({range.first, range.count}));
  return out;
}

json test_json(const TestResult& test, const std::vector<LineRange>& lines) {
  json out = {
      {"id", safe(test.id)},
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
      {"lines", ranges_json(lines)},
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

json optional_number(const auto& value) {
  return value ? json(*value) : json(nullptr);
}

json pacing_json(const PacingFacts& pacing) {
  return {
      {"connection_cap", pacing.connection_cap},
      {"peak_connections", pacing.peak_connections},
      {"errors_per_connection", pacing.errors_per_connection},
      {"syntax_errors_per_connection", pacing.syntax_errors_per_connection},
      {"error_limit", optional_number(pacing.error_limit)},
      {"syntax_error_limit", optional_number(pacing.syntax_error_limit)},
      {"connection_limit_seen", pacing.connection_limit_seen},
      {"tarpit_ms", optional_number(pacing.tarpit_ms)},
      {"greet_wait_ms", optional_number(pacing.greet_wait_ms)},
      {"greylist_waits", pacing.greylist_waits},
  };
}

json findings_json(const std::vector<Finding>& findings) {
  json out = json::array();
  for (const auto& finding : findings) {
    json entry = {{"id", safe(finding.id)},
                  {"severity", safe(finding.severity)},
                  {"message", safe(finding.message)}};
    if (!finding.domain.empty()) entry["domain"] = safe(finding.domain);
    out.push_back(std::move(entry));
  }
  return out;
}

// The merged transcript, and each test with its ranges into it.
void add_tests_and_transcript(const EndpointResult& result, json& out) {
  std::vector<const Transcript*> test_lines;
  test_lines.reserve(result.tests.size());
  for (const auto& test : result.tests) test_lines.push_back(&test.transcript);
  const MergedTranscript merged = merge_transcripts(result.transcript, test_lines);
  json transcript = json::array();
  for (const LineSource& source : merged.lines) {
    const Transcript& from = source.test < 0
                                 ? result.transcript
                                 : result.tests[static_cast<std::size_t>(source.test)].transcript;
    transcript.push_back(transcript_line_json(from[source.index]));
  }
  json tests = json::array();
  for (std::size_t i = 0; i < result.tests.size(); ++i) {
    tests.push_back(test_json(result.tests[i], merged.ranges[i]));
  }
  out["tests"] = std::move(tests);
  out["transcript"] = std::move(transcript);
}

}  // namespace

json reply_json(const Reply& reply) {
  return {
      {"code", reply.code},
      {"enhanced", reply.enhanced.empty() ? json(nullptr) : json(safe(reply.enhanced))},
      {"lines", safe_list(reply.lines)},
  };
}

json endpoint_to_json(const EndpointResult& result) {
  const Endpoint& endpoint = result.endpoint;
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
      {"pacing", pacing_json(result.pacing)},
  };
  add_tests_and_transcript(result, out);
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
  if (!result.findings.empty()) out["findings"] = findings_json(result.findings);
  return out;
}

std::string endpoint_line(const json& endpoint) {
  return endpoint.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace relayaudit
