// SARIF 2.1.0 rendering of a results document, built as nlohmann::json.
#include "reports/sarif_report.hpp"

#include <cstdint>
#include <cstdio>
#include <map>

#include "relaytests/script_library.hpp"
#include "reports/document_view.hpp"
#include "reports/endpoint_source.hpp"
#include "reports/tls_label.hpp"
#include "reports/xml_text.hpp"
#include "results/finding_ids.hpp"
#include "results/tls_finding_catalog.hpp"

namespace relayaudit {
namespace {

using nlohmann::json;

// SARIF plain-text messages turn "[text](target)" into a link (SARIF 2.1.0 §3.11.6); a server
// must not be able to plant one, so literal brackets are escaped as the spec prescribes.
std::string message_text(const std::string& visible) {
  std::string out;
  out.reserve(visible.size());
  for (char c : visible) {
    if (c == '[' || c == ']') out += '\\';
    out += c;
  }
  return out;
}

std::string level_for(std::string_view severity) {
  if (severity == "critical" || severity == "high") return "error";
  if (severity == "medium") return "warning";
  if (severity == "low" || severity == "info") return "note";
  return "warning";
}

// GitHub code scanning ranks security alerts by this score (>= 9 critical, >= 7 high, ...).
const char* security_severity(std::string_view severity) {
  if (severity == "critical") return "9.5";
  if (severity == "high") return "8.0";
  if (severity == "medium") return "5.5";
  if (severity == "low") return "3.0";
  return nullptr;
}

// "relay-external-sender" -> "RelayExternalSender": SARIF's rule name is an identifier.
std::string rule_name(const std::string& id) {
  std::string name;
  bool upper = true;
  for (char c : id) {
    if (c == '-' || c == '_' || c == '.') {
      upper = true;
      continue;
    }
    name += upper && c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
    upper = false;
  }
  return name;
}

// What the document says about a script: its "scripts" entry, or the first finding of its id.
struct RuleFacts {
  std::string title;
  std::string severity;
  std::string kind;
  json tags = json::array();
};

std::map<std::string, RuleFacts> collect_rules(const json& results,
                                               const EndpointSource& endpoints) {
  std::map<std::string, RuleFacts> rules;
  for (const auto& [id, script] : results.at("scripts").items()) {
    RuleFacts& facts = rules[id];
    facts.title = script.value("title", std::string());
    facts.severity = script.value("severity", std::string());
    facts.kind = script.value("kind", std::string());
    facts.tags = script.value("tags", json::array());
  }
  for (std::size_t i = 0; i < endpoints.size(); ++i) {
    endpoints.visit(i, [&rules](const json& endpoint) {
      // A test of a script the document does not describe still needs its rule.
      for (const auto& test : endpoint.at("tests")) rules[test.at("id").get<std::string>()];
      if (!endpoint.contains("findings")) return;
      for (const auto& finding : endpoint["findings"]) {
        RuleFacts& facts = rules[finding.at("id").get<std::string>()];
        if (facts.severity.empty()) facts.severity = finding.at("severity").get<std::string>();
      }
    });
  }
  return rules;
}

const RelayScript* builtin_script(const std::string& id) {
  for (const RelayScript& script : builtin_scripts()) {
    if (script.id == id) return &script;
  }
  return nullptr;
}

json make_rule(const std::string& id, RuleFacts facts) {
  const RelayScript* builtin = builtin_script(id);
  if (builtin != nullptr) {
    if (facts.title.empty()) facts.title = builtin->title;
    if (facts.severity.empty()) facts.severity = builtin->severity;
    if (facts.kind.empty()) facts.kind = std::string(to_string(builtin->kind));
    if (facts.tags.empty()) facts.tags = builtin->tags;
  }
  std::string title = visible_text(facts.title.empty() ? id : facts.title);
  std::string description = title;
  std::string help = title;
  if (id == kFindingMxRefusesDomain) {
    // Not a script: the backup-MX consistency check of `scan DOMAIN`.
    title = "An MX of the domain refuses the domain's own mail";
    description =
        "A gateway listed as an MX of a scanned mail domain refused postmaster@ that domain with "
        "a 5xx at RCPT TO. Whenever a more preferred MX is down, the domain's mail reaches this "
        "one and bounces or waits in queues.";
    help = description +
           "\n\nFix: list the domain as a relay (backup) domain on this MX (Postfix: "
           "relay_domains and a relay_recipient_maps entry; Exim: the relay_to_domains list), or "
           "remove the MX record.\n\nReferences:\n- RFC 5321 §5.1\n- RFC 5321 §4.5.1";
  }
  if (const TlsFindingInfo* tls = tls_finding_info(id)) {
    // Not a script: a fact of the endpoint's TLS, never a relay verdict.
    title = std::string(tls->title);
    description = std::string(tls->description);
    help = description + "\n\nFix: " + std::string(tls->fix) + "\n\nReferences:";
    for (std::string_view reference : tls->references) {
      if (!reference.empty()) help += "\n- " + std::string(reference);
    }
    if (facts.severity.empty()) facts.severity = std::string(tls->severity);
    facts.kind = "tls";
    facts.tags = json::array({"tls"});
  }
  if (builtin != nullptr) {
    description = visible_text(builtin->description);
    help = description + "\n\nWhat acceptance reveals: " + visible_text(builtin->catches);
    if (!builtin->opened_by.empty()) {
      help += "\n\nSettings known to open this hole:";
      for (const auto& setting : builtin->opened_by) help += "\n- " + visible_text(setting);
    }
    if (!builtin->references.empty()) {
      help += "\n\nReferences:";
      for (const auto& reference : builtin->references) help += "\n- " + visible_text(reference);
    }
  }
  json tags = json::array({"security", "smtp"});
  if (facts.kind == "relay") tags.push_back("open-relay");
  for (const auto& tag : facts.tags) tags.push_back(visible_text_of(tag));

  json rule = {
      {"id", visible_text(id)},
      {"name", rule_name(visible_text(id))},
      {"shortDescription", {{"text", title}}},
      {"fullDescription", {{"text", description}}},
      {"help", {{"text", help}}},
      {"defaultConfiguration", {{"level", level_for(facts.severity)}}},
      {"properties",
       {{"tags", tags},
        {"kind", visible_text(facts.kind)},
        {"severity", visible_text(facts.severity)},
        {"precision", "high"}}},
  };
  if (const char* score = security_severity(facts.severity)) {
    rule["properties"]["security-severity"] = score;
  }
  return rule;
}

// FNV-1a, 64 bits: a fingerprint only has to be stable across runs, versions and platforms,
// which std::hash does not promise.
std::string fingerprint(const std::string& endpoint, const std::string& rule_id) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (unsigned char c : endpoint + "|" + rule_id) {
    hash ^= c;
    hash *= 0x100000001b3ULL;
  }
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(hash));
  return text;
}

// An endpoint is not a file, but GitHub code scanning rejects a result without a
// physicalLocation. Each endpoint therefore gets a stable pseudo-path "smtp/<address>_<port>"
// (never a file in the repository: the alert shows it as the place of the finding), with the
// address percent-encoded where a URI path cannot carry it (IPv6 zone "%", anything odd). The
// endpoint itself is named properly in logicalLocations.
json sarif_location(const json& endpoint) {
  std::string uri = "smtp/";
  static constexpr char kDigits[] = "0123456789ABCDEF";
  for (unsigned char c : endpoint.at("address").get<std::string>()) {
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                       c == '-' || c == '.' || c == '_' || c == '~' || c == ':';
    if (plain) {
      uri += static_cast<char>(c);
    } else {
      uri += '%';
      uri += kDigits[c >> 4];
      uri += kDigits[c & 0x0f];
    }
  }
  uri += "_" + std::to_string(endpoint.at("port").get<int>());

  const std::string key = visible_text_of(endpoint.at("endpoint"));
  const std::string host = visible_text_of(endpoint.at("host_name"));
  return {
      {"physicalLocation", {{"artifactLocation", {{"uri", uri}}}, {"region", {{"startLine", 1}}}}},
      {"logicalLocations",
       json::array({{{"name", key},
                     {"fullyQualifiedName", host.empty() ? key : host + "/" + key},
                     {"kind", "resource"}}})},
  };
}

json endpoint_properties(const json& endpoint) {
  json properties = {
      {"endpoint", visible_text_of(endpoint.at("endpoint"))},
      {"host_name", endpoint.at("host_name").is_string()
                        ? json(visible_text_of(endpoint.at("host_name")))
                        : json(nullptr)},
      {"verdict", visible_text_of(endpoint.at("verdict"))},
      {"verdict_reason", visible_text_of(endpoint.at("verdict_reason"))},
  };
  if (endpoint.contains("evidence")) {
    properties["evidence"] = visible_text_of(endpoint["evidence"].at("strength"));
    properties["sink_suspected"] = endpoint["evidence"].at("sink_suspected");
  }
  return properties;
}

json relay_result(const json& results, const json& endpoint, const json& test,
                  std::size_t rule_index) {
  const std::string id = visible_text_of(test.at("id"));
  // --tls both runs a script on each path: the path is part of the alert's identity. A plain
  // test keeps the fingerprint it had before tests had a path.
  const bool over_tls = ran_over_tls(test);
  std::string message = endpoint_label(endpoint) +
                        (over_tls ? " relays mail over TLS: " : " relays mail: ") +
                        envelope_sent(test) + " was answered " + reply_summary(test.at("reply")) +
                        " (" + id + ": " + visible_text(script_fact(results, test, "title")) + ")";
  if (test.contains("detail")) message += ". " + visible_text_of(test.at("detail"));
  json properties = endpoint_properties(endpoint);
  properties["ehlo"] = visible_text_of(test.at("ehlo"));
  properties["mail_from"] = visible_text_of(test.at("mail_from"));
  json recipients = json::array();
  for (const auto& recipient : test.at("rcpt_to")) recipients.push_back(visible_text_of(recipient));
  properties["rcpt_to"] = recipients;
  properties["reply"] = reply_lines(test.at("reply"));
  properties["transcript"] = transcript_text(test_lines(endpoint, test));
  properties["path"] = over_tls ? "tls" : "plain";
  return {
      {"ruleId", id},
      {"ruleIndex", rule_index},
      {"level", level_for(script_fact(results, test, "severity"))},
      {"message", {{"text", message_text(message)}}},
      {"locations", json::array({sarif_location(endpoint)})},
      {"partialFingerprints",
       {{"relayauditEndpointRule/v1",
         fingerprint(endpoint.at("endpoint"),
                     test.at("id").get<std::string>() + (over_tls ? "/tls" : ""))}}},
      {"properties", properties},
  };
}

json finding_result(const json& endpoint, const json& finding, std::size_t rule_index) {
  const std::string message =
      endpoint_label(endpoint) + ": " + visible_text_of(finding.at("message"));
  // A domain finding is one alert per endpoint and domain; a probe finding one per endpoint.
  const std::string domain =
      finding.contains("domain") ? visible_text_of(finding.at("domain")) : "";
  const std::string rule = visible_text_of(finding.at("id"));
  // Probe findings are notes; domain and TLS findings carry their own severity.
  const bool graded = !domain.empty() || is_tls_finding(rule);
  json result = {
      {"ruleId", rule},
      {"ruleIndex", rule_index},
      {"level", graded ? level_for(visible_text_of(finding.at("severity"))) : "note"},
      {"message", {{"text", message_text(message)}}},
      {"locations", json::array({sarif_location(endpoint)})},
      {"partialFingerprints",
       {{"relayauditEndpointRule/v1",
         fingerprint(endpoint.at("endpoint"), domain.empty() ? rule : rule + "/" + domain)}}},
      {"properties", endpoint_properties(endpoint)},
  };
  if (!domain.empty()) result["properties"]["mailDomain"] = domain;
  if (is_tls_finding(rule)) result["properties"]["tls"] = visible_text(tls_label(endpoint));
  return result;
}

// Each SARIF result of one endpoint: an alert per accepted relay attempt, one per finding.
json endpoint_results(const json& results, const json& endpoint,
                      const std::map<std::string, std::size_t>& rule_index) {
  json out = json::array();
  for (const auto& test : endpoint.at("tests")) {
    if (test.at("verdict") != "fail") continue;
    out.push_back(
        relay_result(results, endpoint, test, rule_index.at(test.at("id").get<std::string>())));
  }
  if (!endpoint.contains("findings")) return out;
  for (const auto& finding : endpoint["findings"]) {
    out.push_back(
        finding_result(endpoint, finding, rule_index.at(finding.at("id").get<std::string>())));
  }
  return out;
}

// `value` pretty-printed as an element `indent` spaces deep inside the log.
std::string nested(const json& value, std::size_t indent) {
  std::string text = value.dump(2, ' ', false, json::error_handler_t::replace);
  std::string out(indent, ' ');
  for (char c : text) {
    out += c;
    if (c == '\n') out.append(indent, ' ');
  }
  return out;
}

}  // namespace

bool write_sarif(const json& results, const EndpointSource& endpoints, const ChunkSink& sink) {
  json rules = json::array();
  std::map<std::string, std::size_t> rule_index;
  for (auto& [id, facts] : collect_rules(results, endpoints)) {
    rule_index[id] = rules.size();
    rules.push_back(make_rule(id, std::move(facts)));
  }

  const std::string version = visible_text_of(results.at("tool").at("version"));
  json driver = {{"name", "relayaudit"}, {"version", version}, {"rules", rules}};
  if (!version.empty() && version.front() >= '0' && version.front() <= '9') {
    driver["semanticVersion"] = version;
  }
  const json summary = results.at("summary");
  json invocation = {{"executionSuccessful", results.at("complete").get<bool>()},
                     {"startTimeUtc", results.at("started_at")},
                     {"endTimeUtc", results.at("finished_at")}};
  if (!results.at("complete").get<bool>()) {
    // A viewer shows no alert for an endpoint that was never audited; this says why.
    invocation["toolExecutionNotifications"] = json::array(
        {{{"level", "error"},
          {"descriptor", {{"id", "scan-incomplete"}}},
          {"message",
           {{"text", "The scan was interrupted: " + std::to_string(endpoints.size()) +
                         " endpoint(s) finished; endpoints not listed were not audited."}}}}});
  }
  json log = {
      {"version", "2.1.0"},
      {"runs", json::array({{
                   {"tool", {{"driver", driver}}},
                   {"invocations", json::array({invocation})},
                   {"results", json::array()},
                   {"properties",
                    {{"verdict", summary.at("verdict")},
                     {"complete", results.at("complete")},
                     {"summary", summary}}},
               }})},
  };
  // The results go where the empty array is, one endpoint's alerts at a time.
  const std::string frame = log.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
  const std::string placeholder = "\"results\": []";
  const auto split = frame.find(placeholder);
  if (!sink(std::string_view(frame).substr(0, split)) || !sink("\"results\": [")) return false;
  bool first = true;
  bool written = true;
  for (std::size_t i = 0; i < endpoints.size() && written; ++i) {
    endpoints.visit(i, [&](const json& endpoint) {
      for (const json& result : endpoint_results(results, endpoint, rule_index)) {
        written = written && sink(first ? "\n" : ",\n") && sink(nested(result, 8));
        first = false;
      }
    });
  }
  return written && sink(first ? "]" : "\n      ]") &&
         sink(std::string_view(frame).substr(split + placeholder.size()));
}

std::string render_sarif(const json& results) {
  (void)results.at("endpoints");  // a document without endpoints is incomplete, not empty
  std::string out;
  write_sarif(results, DocumentEndpoints(results), [&out](std::string_view chunk) {
    out.append(chunk);
    return true;
  });
  return out;
}

}  // namespace relayaudit
