// Writes an endpoint object of the results document from an EndpointResult, straight to text.
// Members are written in sorted order, as nlohmann's objects hold them: the text is what a parse
// and a dump() of it give back (tests/reports/endpoint_text_test.cpp holds that).
#include "reports/endpoint_json.hpp"

#include "reports/domain_results.hpp"
#include "reports/json_writer.hpp"
#include "reports/safe_text.hpp"
#include "reports/tls_json.hpp"
#include "reports/transcript_merge.hpp"

namespace relayaudit {
namespace {

using nlohmann::json;

// Every string that is not a fixed enum name goes through here.
void safe(JsonWriter& out, std::string_view text) {
  out.string(escape_invalid_utf8(text, nullptr));
}

void safe_list(JsonWriter& out, const std::vector<std::string>& items) {
  out.begin_array();
  for (const auto& item : items) safe(out, item);
  out.end_array();
}

void optional_number(JsonWriter& out, const auto& value) {
  if (value) {
    out.number(*value);
  } else {
    out.null();
  }
}

// A subtree some other writer builds as a tree (TLS facts, DNSBL listings): rare and small.
void subtree(JsonWriter& out, const json& value) {
  out.raw(value.dump(-1, ' ', false, json::error_handler_t::replace));
}

void reply(JsonWriter& out, const Reply& reply) {
  out.begin_object().key("code").number(reply.code).key("enhanced");
  if (reply.enhanced.empty()) {
    out.null();
  } else {
    safe(out, reply.enhanced);
  }
  out.key("lines");
  safe_list(out, reply.lines);
  out.end_object();
}

// A greeting step that never happened (no banner read, no EHLO sent) is null, not a zero reply.
bool happened(const Reply& step) {
  return step.code != 0 || !step.lines.empty();
}

// [t_ms, session, dir, line], and a fifth element true when the line was escaped.
void transcript_line(JsonWriter& out, const TranscriptLine& line) {
  bool changed = false;
  out.begin_array().number(line.at_ms).number(line.session).string(direction_name(line.direction));
  out.string(escape_invalid_utf8(line.line, &changed));
  if (changed) out.boolean(true);
  out.end_array();
}

void test_object(JsonWriter& out, const TestResult& test, const std::vector<LineRange>& lines) {
  out.begin_object().key("attempts").number(test.attempts);
  if (test.data_reply) reply(out.key("data_reply"), *test.data_reply);
  if (!test.detail.empty()) safe(out.key("detail"), test.detail);
  safe(out.key("ehlo"), test.ehlo);
  safe(out.key("id"), test.id);
  out.key("lines").begin_array();
  for (const auto& range : lines) {
    out.begin_array()
        .number(static_cast<std::int64_t>(range.first))
        .number(static_cast<std::int64_t>(range.count))
        .end_array();
  }
  out.end_array();
  if (!test.mail_domain.empty()) safe(out.key("mail_domain"), test.mail_domain);
  safe(out.key("mail_from"), test.mail_from);
  out.key("outcome").string(to_string(test.outcome));
  out.key("path").string(test.over_tls ? "tls" : "plain");
  safe_list(out.key("rcpt_to"), test.rcpt_to);
  if (!test.refusal.empty()) out.key("refusal").string(test.refusal);
  if (!test.refused_senders.empty()) {
    out.key("refused_senders").begin_array();
    for (const auto& sender : test.refused_senders) {
      out.begin_object();
      reply(out.key("reply"), sender.reply);
      safe(out.key("sender"), sender.sender);
      out.end_object();
    }
    out.end_array();
  }
  out.key("reply");
  if (test.reply) {
    reply(out, *test.reply);
  } else {
    out.null();
  }
  out.key("stage").string(to_string(test.stage));
  out.key("status").string(to_string(test.status));
  out.key("verdict").string(to_string(test.verdict));
  out.end_object();
}

void ehlo_object(JsonWriter& out, const Greeting& greeting) {
  out.begin_object();
  safe_list(out.key("capabilities"), greeting.capabilities);
  out.key("pipelining").boolean(greeting.pipelining);
  reply(out.key("reply"), greeting.ehlo);
  safe(out.key("server_domain"), greeting.server_domain);
  out.key("starttls").boolean(greeting.starttls);
  out.key("used_helo").boolean(greeting.used_helo);
  out.end_object();
}

void pacing_object(JsonWriter& out, const PacingFacts& pacing) {
  out.begin_object();
  out.key("connection_cap").number(pacing.connection_cap);
  out.key("connection_limit_seen").boolean(pacing.connection_limit_seen);
  optional_number(out.key("error_limit"), pacing.error_limit);
  out.key("errors_per_connection").number(pacing.errors_per_connection);
  optional_number(out.key("greet_wait_ms"), pacing.greet_wait_ms);
  out.key("greylist_waits").number(pacing.greylist_waits);
  out.key("peak_connections").number(pacing.peak_connections);
  optional_number(out.key("syntax_error_limit"), pacing.syntax_error_limit);
  out.key("syntax_errors_per_connection").number(pacing.syntax_errors_per_connection);
  optional_number(out.key("tarpit_ms"), pacing.tarpit_ms);
  out.end_object();
}

void findings_array(JsonWriter& out, const std::vector<Finding>& findings) {
  out.begin_array();
  for (const auto& finding : findings) {
    out.begin_object();
    if (!finding.domain.empty()) safe(out.key("domain"), finding.domain);
    safe(out.key("id"), finding.id);
    safe(out.key("message"), finding.message);
    safe(out.key("severity"), finding.severity);
    out.end_object();
  }
  out.end_array();
}

}  // namespace

std::string endpoint_text(const EndpointResult& result) {
  const Endpoint& endpoint = result.endpoint;
  // The merged transcript, and each test with its ranges into it.
  std::vector<const Transcript*> test_lines;
  test_lines.reserve(result.tests.size());
  for (const auto& test : result.tests) test_lines.push_back(&test.transcript);
  const MergedTranscript merged = merge_transcripts(result.transcript, test_lines);

  std::string text;
  text.reserve(4096 + 96 * merged.lines.size() + 320 * result.tests.size());
  JsonWriter out(text);
  out.begin_object();
  safe(out.key("address"), endpoint.address);
  out.key("banner");
  if (result.greeting && happened(result.greeting->banner)) {
    reply(out, result.greeting->banner);
  } else {
    out.null();
  }
  out.key("connections").number(result.connections);
  if (!result.dnsbl.empty()) subtree(out.key("dnsbl"), dnsbl_json(result.dnsbl));
  if (result.domains_unchecked > 0) out.key("domains_unchecked").number(result.domains_unchecked);
  out.key("ehlo");
  if (result.greeting && happened(result.greeting->ehlo)) {
    ehlo_object(out, *result.greeting);
  } else {
    out.null();
  }
  safe(out.key("endpoint"), endpoint.key());
  if (!result.error.empty()) safe(out.key("error"), result.error);
  if (result.evidence) {
    out.key("evidence").begin_object();
    safe(out.key("detail"), result.evidence->detail);
    out.key("sink_suspected").boolean(result.evidence->sink_suspected);
    out.key("strength").string(result.evidence->strength);
    out.end_object();
  }
  if (!result.findings.empty()) findings_array(out.key("findings"), result.findings);
  out.key("finished_ms").number(result.finished_ms);
  out.key("host_name");
  if (endpoint.host_name.empty()) {
    out.null();
  } else {
    safe(out, endpoint.host_name);
  }
  out.key("ip_version").number(endpoint.ipv6 ? 6 : 4);
  if (!endpoint.declared_mail_domain.empty()) {
    safe(out.key("mail_domain_declared"), endpoint.declared_mail_domain);
  }
  if (!endpoint.mail_domains.empty()) safe_list(out.key("mail_domains"), endpoint.mail_domains);
  pacing_object(out.key("pacing"), result.pacing);
  out.key("port").number(endpoint.port);
  out.key("round_trips").number(result.round_trips);
  out.key("stage").string(to_string(result.stage));
  out.key("started_ms").number(result.started_ms);
  out.key("status").string(to_string(result.status));
  safe_list(out.key("targets"), endpoint.targets);
  out.key("tests").begin_array();
  for (std::size_t i = 0; i < result.tests.size(); ++i) {
    test_object(out, result.tests[i], merged.ranges[i]);
  }
  out.end_array();
  if (json tls = tls_json(result); !tls.is_null()) subtree(out.key("tls"), tls);
  out.key("transcript").begin_array();
  for (const LineSource& source : merged.lines) {
    const Transcript& from = source.test < 0
                                 ? result.transcript
                                 : result.tests[static_cast<std::size_t>(source.test)].transcript;
    transcript_line(out, from[source.index]);
  }
  out.end_array();
  out.key("verdict").string(to_string(result.verdict));
  safe(out.key("verdict_reason"), result.verdict_reason);
  out.end_object();
  return text;
}

json endpoint_to_json(const EndpointResult& result) {
  return json::parse(endpoint_text(result));
}

std::string endpoint_line(const json& endpoint) {
  return endpoint.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace relayaudit
