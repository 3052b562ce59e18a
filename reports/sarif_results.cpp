// SARIF results of one endpoint, grouped so a fleet gives a bounded number of alerts.
#include "reports/sarif_results.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <string_view>
#include <vector>

#include "reports/document_view.hpp"
#include "reports/sarif_rules.hpp"
#include "reports/tls_label.hpp"
#include "reports/vantage_verdicts.hpp"
#include "reports/xml_text.hpp"
#include "results/finding_ids.hpp"
#include "results/tls_finding_catalog.hpp"

namespace relayaudit {
namespace {

using nlohmann::json;

// SARIF plain-text messages turn "[text](target)" into a link (SARIF 2.1.0 §3.11.6); a server
// must not be able to plant one, so literal brackets are escaped as the spec prescribes.
std::string sarif_message_text(const std::string& visible) {
  std::string out;
  out.reserve(visible.size());
  for (char c : visible) {
    if (c == '[' || c == ']') out += '\\';
    out += c;
  }
  return out;
}

// FNV-1a, 64 bits: a fingerprint only has to be stable across runs, versions and platforms,
// which std::hash does not promise.
std::string sarif_fingerprint(const std::string& endpoint, const std::string& rule_id) {
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

json sarif_endpoint_properties(const json& endpoint) {
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

json sarif_result(const json& endpoint, const std::string& rule, const std::string& level,
                  const std::string& message, json properties,
                  const std::map<std::string, std::size_t>& rule_index) {
  return {
      {"ruleId", rule},
      {"ruleIndex", rule_index.at(rule)},
      {"level", level},
      {"message", {{"text", sarif_message_text(message)}}},
      {"locations", json::array({sarif_location(endpoint)})},
      {"partialFingerprints",
       {{"relayauditEndpointRule/v2",
         sarif_fingerprint(endpoint.at("endpoint").get<std::string>(), rule)}}},
      {"properties", std::move(properties)},
  };
}

// "relay-null-sender", or "relay-null-sender (over TLS)" for the TLS path of --tls both.
std::string sarif_test_name(const json& test) {
  return visible_text_of(test.at("id")) + (ran_over_tls(test) ? " (over TLS)" : "");
}

// What the alert keeps of one accepted attempt; only the spelled-out one carries its transcript,
// which keeps 1,000 open relays x 30 scripts inside GitHub's size limit (sarif_report.hpp).
json accepted_attempt(const json& results, const json& endpoint, const json& test,
                      bool with_transcript) {
  json recipients = json::array();
  for (const auto& recipient : test.at("rcpt_to")) recipients.push_back(visible_text_of(recipient));
  json attempt = {
      {"script", visible_text_of(test.at("id"))},
      {"title", visible_text(script_fact(results, test, "title"))},
      {"severity", visible_text(script_fact(results, test, "severity"))},
      {"path", ran_over_tls(test) ? "tls" : "plain"},
      {"ehlo", visible_text_of(test.at("ehlo"))},
      {"mail_from", visible_text_of(test.at("mail_from"))},
      {"rcpt_to", recipients},
      {"reply", reply_lines(test.at("reply"))},
  };
  if (with_transcript) attempt["transcript"] = transcript_text(test_lines(endpoint, test));
  if (test.contains("detail")) attempt["detail"] = visible_text_of(test.at("detail"));
  return attempt;
}

// The accepted attempt the message spells out: a baseline one (a plain foreign recipient is
// the clearest proof), else the most severe; the document's order breaks ties.
int sarif_evidence_rank(const json& results, const json& test) {
  static constexpr std::string_view kSeverities[] = {"critical", "high", "medium", "low"};
  int rank = script_fact(results, test, "trick") == "baseline" ? 0 : 10;
  const std::string severity = script_fact(results, test, "severity");
  int place = 4;
  for (int i = 0; i < 4; ++i) {
    if (severity == kSeverities[i]) place = i;
  }
  return rank + place;
}

// One alert for every relay attempt the endpoint accepted: the strongest evidence is spelled
// out in the message, the others named.
void add_relay_alert(json& out, const json& results, const json& endpoint,
                     const std::map<std::string, std::size_t>& rule_index) {
  std::vector<const json*> failing;
  for (const auto& test : endpoint.at("tests")) {
    if (test.at("verdict") == "fail") failing.push_back(&test);
  }
  if (failing.empty()) return;
  std::stable_sort(failing.begin(), failing.end(), [&results](const json* a, const json* b) {
    return sarif_evidence_rank(results, *a) < sarif_evidence_rank(results, *b);
  });
  const bool open = endpoint.at("verdict") == "open-relay";
  const json& first = *failing.front();
  std::string message = endpoint_label(endpoint) +
                        (open ? " relays mail for strangers: "
                              : " accepted relay attempts, not proven to relay (" +
                                    visible_text_of(endpoint.at("verdict_reason")) + "): ") +
                        envelope_sent(first) + (ran_over_tls(first) ? " over TLS" : "") +
                        " was answered " + reply_summary(first.at("reply")) + " (" +
                        visible_text_of(first.at("id")) + ": " +
                        visible_text(script_fact(results, first, "title")) + ")";
  if (first.contains("detail")) message += ". " + visible_text_of(first.at("detail"));
  if (failing.size() > 1) {
    message += ". " + std::to_string(failing.size() - 1) + " more relay attempt(s) accepted:";
    for (std::size_t i = 1; i < failing.size(); ++i) {
      message += (i == 1 ? " " : ", ") + sarif_test_name(*failing[i]);
    }
  }
  json properties = sarif_endpoint_properties(endpoint);
  // merge --by-vantage: the alert is the worst vantage's; say where it relays and where not.
  if (const std::string per = vantage_verdicts_text(endpoint); !per.empty()) {
    message += ". By vantage: " + visible_text(per);
    properties["verdict_by_vantage"] = visible_text(per);
  }
  properties["accepted"] = json::array();
  for (const json* test : failing) {
    properties["accepted"].push_back(
        accepted_attempt(results, endpoint, *test, test == failing.front()));
  }
  out.push_back(sarif_result(endpoint, open ? kSarifOpenRelayRule : kSarifRelayUnprovenRule,
                             open ? "error" : "warning", message, std::move(properties),
                             rule_index));
}

int sarif_level_rank(std::string_view level) {
  if (level == "error") return 2;
  if (level == "warning") return 1;
  return 0;
}

// One alert for a group of the endpoint's findings: every message, the level of the worst.
void add_findings_alert(json& out, const json& endpoint, const std::vector<const json*>& findings,
                        const std::string& rule, const std::string& lead, bool graded,
                        const std::map<std::string, std::size_t>& rule_index) {
  if (findings.empty()) return;
  std::string level = "note";
  std::string message = endpoint_label(endpoint) + lead;
  json listed = json::array();
  for (std::size_t i = 0; i < findings.size(); ++i) {
    const json& finding = *findings[i];
    const std::string own = sarif_level(visible_text_of(finding.at("severity")));
    if (graded && sarif_level_rank(own) > sarif_level_rank(level)) level = own;
    message += (i == 0 ? " " : "; ") + visible_text_of(finding.at("message"));
    json entry = {{"id", visible_text_of(finding.at("id"))},
                  {"severity", visible_text_of(finding.at("severity"))},
                  {"message", visible_text_of(finding.at("message"))}};
    if (finding.contains("domain")) entry["domain"] = visible_text_of(finding.at("domain"));
    listed.push_back(entry);
  }
  json properties = sarif_endpoint_properties(endpoint);
  properties["findings"] = listed;
  if (rule == kSarifTlsRule) properties["tls"] = visible_text(tls_label(endpoint));
  out.push_back(sarif_result(endpoint, rule, level, message, std::move(properties), rule_index));
}

}  // namespace

json sarif_endpoint_results(const json& results, const json& endpoint,
                            const std::map<std::string, std::size_t>& rule_index) {
  json out = json::array();
  add_relay_alert(out, results, endpoint, rule_index);
  std::vector<const json*> tls;
  std::vector<const json*> domains;
  std::vector<const json*> probes;
  static const json kNoFindings = json::array();
  const auto found = endpoint.find("findings");
  for (const auto& finding : found != endpoint.end() ? *found : kNoFindings) {
    const std::string id = finding.at("id").get<std::string>();
    if (is_tls_finding(id)) {
      tls.push_back(&finding);
    } else if (finding.contains("domain") || id == kFindingMxRefusesDomain) {
      domains.push_back(&finding);
    } else {
      probes.push_back(&finding);
    }
  }
  add_findings_alert(out, endpoint, tls, kSarifTlsRule, ": TLS:", true, rule_index);
  add_findings_alert(out, endpoint, domains, kFindingMxRefusesDomain,
                     " refuses the mail of domains it is an MX of:", true, rule_index);
  add_findings_alert(out, endpoint, probes, kSarifProbeRule, ":", false, rule_index);
  return out;
}

}  // namespace relayaudit
