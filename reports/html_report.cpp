// Renders the results document as the auditor's self-contained HTML report.
#include "reports/html_report.hpp"
#include "relaytests/script_library.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "reports/document_view.hpp"
#include "reports/endpoint_source.hpp"
#include "reports/html_document.hpp"
#include "reports/html_endpoint.hpp"
#include "reports/html_text.hpp"
#include "reports/output_file.hpp"
#include "reports/received_text.hpp"
#include "reports/svg_chart.hpp"
#include "reports/tls_label.hpp"
#include "reports/vantage_text.hpp"
#include "reports/vantage_verdicts.hpp"

namespace relayaudit {
namespace {

// The shared reads and badges (html_document.hpp) and the endpoint sections (html_endpoint.hpp).
using namespace html;

std::string seconds(long long milliseconds) {
  char buffer[48];
  std::snprintf(buffer, sizeof buffer, "%lld.%03lld s", milliseconds / 1000,
                std::llabs(milliseconds % 1000));
  return buffer;
}

std::string dump_safely(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

constexpr const char* kStyle = R"css(
:root{color-scheme:light}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:#111827;background:#fff;max-width:1200px;margin:0 auto;padding:24px}
h1{font-size:24px;margin:0 0 4px}
h2{font-size:19px;border-bottom:2px solid #e5e7eb;padding-bottom:4px;margin:32px 0 10px}
h3{font-size:15px;margin:18px 0 6px}
table{border-collapse:collapse;width:100%;margin:6px 0 12px}
th,td{border:1px solid #d1d5db;padding:4px 6px;text-align:left;vertical-align:top}
thead th{background:#f3f4f6}
table.kv{width:auto}
table.kv th{background:#f9fafb;font-weight:600;white-space:nowrap}
td.num{text-align:right;font-variant-numeric:tabular-nums}
table.endpoints td:first-child code{white-space:nowrap;overflow-wrap:normal}
code,pre,.mono{font-family:ui-monospace,"DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:12.5px}
pre{white-space:pre-wrap;overflow-wrap:anywhere;margin:0 0 10px;background:#f8fafc;border:1px solid #e2e8f0;padding:8px}
pre b{color:#1e3a8a}
pre i{color:#6b7280}
code{overflow-wrap:anywhere;white-space:pre-wrap}
.esc{background:#fde68a;color:#7c2d12;border:1px solid #d97706;border-radius:2px;padding:0 1px}
.absent{color:#6b7280;font-style:italic}
.small{color:#4b5563;font-size:12px}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;border:1px solid;font-weight:700;font-size:12px;white-space:nowrap;text-transform:uppercase}
.v-open{color:#991b1b;background:#fee2e2;border-color:#b91c1c}
.v-closed{color:#166534;background:#dcfce7;border-color:#15803d}
.v-inconclusive{color:#92400e;background:#fef3c7;border-color:#b45309}
.v-unreachable{color:#374151;background:#e5e7eb;border-color:#4b5563}
.v-info{color:#1e40af;background:#dbeafe;border-color:#1d4ed8}
.v-unknown{color:#111827;background:#fff;border-color:#111827}
.warning{border:2px solid #b45309;background:#fffbeb;padding:8px 12px;margin:12px 0}
.summary{display:flex;gap:32px;flex-wrap:wrap;align-items:flex-start}
.summary table{width:auto}
.chart{max-width:100%;height:auto}
.chart text{font:13px system-ui,"DejaVu Sans",sans-serif;fill:#111827}
.evidence{border-left:4px solid #b91c1c;background:#fef2f2;padding:6px 12px;margin:10px 0}
tr.fail td{background:#fff5f5}
table.tests td:first-child{width:45%}
table.tests td:nth-child(3){width:28%}
h2 code{font-size:inherit}
.session-head{font-weight:600;margin:10px 0 2px}
footer{margin-top:40px;color:#6b7280;font-size:12px}
@media print{
@page{margin:14mm}
body{max-width:none;padding:0;font-size:11px}
code,pre,.mono{font-size:9.5px}
*{-webkit-print-color-adjust:exact;print-color-adjust:exact}
section.endpoint{break-before:page}
h2,h3,.session-head{break-after:avoid}
tr,.evidence{break-inside:avoid}
a{color:inherit;text-decoration:none}
pre{background:none;border:1px solid #9ca3af}
}
)css";

// --- sections ---------------------------------------------------------------------------------

std::string option_value(const json& value) {
  if (value.is_string()) {
    return value.get_ref<const std::string&>().empty() ? "<span class=\"absent\">empty</span>"
                                                       : html_text(value.get<std::string>());
  }
  if (value.is_array()) {
    if (value.empty()) return "<span class=\"absent\">none</span>";
    std::string out;
    for (const json& item : value) {
      if (!out.empty()) out += ", ";
      out += html_text(item.is_string() ? item.get<std::string>() : dump_safely(item));
    }
    return out;
  }
  return html_text(dump_safely(value));
}

// The first value found among `candidates`: (object, key) pairs of the document.
std::string first_recorded(const std::vector<std::pair<const json*, const char*>>& candidates) {
  for (const auto& [object, key] : candidates) {
    const std::string value = text(*object, key);
    if (!value.empty()) return value;
  }
  return "";
}

// argv as a shell would take it back, as the bytes given: arguments with anything but safe
// characters in single quotes, a quote inside as '"'"' (no backslash, which the display doubles).
std::string shell_words(const json& command_line) {
  std::string out;
  for (const json& argument : command_line) {
    const std::string word = received_bytes(scalar(argument));
    if (!out.empty()) out += ' ';
    const bool plain = !word.empty() && word.find_first_not_of(
                                            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                            "0123456789_@%+=:,./-") == std::string::npos;
    if (plain) {
      out += word;
      continue;
    }
    out += '\'';
    for (char c : word) out += c == '\'' ? std::string("'\"'\"'") : std::string(1, c);
    out += '\'';
  }
  return out;
}

std::string metadata_section(const json& doc) {
  const json& options = at(doc, "options");
  const json& run = at(doc, "run");
  std::string who = first_recorded(
      {{&run, "user"}, {&run, "operator"}, {&options, "operator"}, {&options, "user"}});
  // A uid without a passwd entry (containers) still says who ran the scan.
  const std::string uid = text(run, "uid");
  if (!uid.empty()) who = who.empty() ? "uid " + uid : who + " (uid " + uid + ")";
  const std::string where = first_recorded({{&run, "host"},
                                            {&run, "hostname"},
                                            {&run, "source_address"},
                                            {&options, "host"},
                                            {&options, "source_address"}});
  const json& tool = at(doc, "tool");
  std::string tool_text = text(tool, "name") + " " + text(tool, "version");
  if (tool_text == " ") tool_text.clear();
  const bool complete = !at(doc, "complete").is_boolean() || at(doc, "complete").get<bool>();

  std::string out = "<section id=\"metadata\"><h2>Scan</h2><table class=\"kv\">";
  const auto row = [&](const char* name, const std::string& value_html) {
    out += "<tr><th>" + std::string(name) + "</th><td>" + value_html + "</td></tr>";
  };
  row("Tool", shown(tool_text));
  row("Results schema", shown(text(doc, "schema_version")));
  row("Started", shown(text(doc, "started_at")));
  row("Finished", shown(text(doc, "finished_at")));
  const json& duration = at(doc, "duration_ms");
  row("Duration", duration.is_number() ? seconds(number(duration)) : std::string(kNotRecorded));
  row("Complete", complete ? "yes"
                           : "<strong>no</strong>: interrupted before every endpoint "
                             "was audited");
  row("Run by", shown(who));
  row("Run from", shown(where));
  row("Vantage", html_text(vantage_text(doc)));
  row("Working directory", shown(text(run, "working_directory")));
  const std::string command = shell_words(list(run, "command_line"));
  row("Command line", command.empty() ? std::string(kNotRecorded)
                                      : "<code>" + html_text_of_bytes(command) + "</code>");
  out += "</table>";

  out += "<h3>Options</h3>";
  if (options.is_object() && !options.empty()) {
    out += "<table class=\"kv options\">";
    for (const auto& [key, value] : options.items())
      row(html_text(key).c_str(), option_value(value));
    out += "</table>";
  } else {
    out += "<p>" + std::string(kNotRecorded) + "</p>";
  }
  return out;
}

// Every script of the document's "scripts" object: its facts, source and the hash of its file.
std::string scripts_section(const json& doc) {
  const json& scripts = at(doc, "scripts");
  const std::size_t count = scripts.is_object() ? scripts.size() : 0;
  std::string out = "<h3>Scripts (" + std::to_string(count) + ")</h3>";
  out +=
      "<table class=\"scripts\"><thead><tr><th>Script</th><th>Title</th><th>Kind</th>"
      "<th>Expects</th><th>Severity</th><th>Source</th><th>SHA-256</th></tr></thead><tbody>";
  bool any_hash = false;
  if (scripts.is_object()) {
    for (const auto& [id, script] : scripts.items()) {
      const std::string hash = text(script, "sha256");
      any_hash = any_hash || !hash.empty();
      out += "<tr><td><code>" + html_text(id) + "</code></td><td>" +
             html_text(text(script, "title")) + "</td><td>" + html_text(text(script, "kind")) +
             "</td><td>" + html_text(text(script, "expect")) + "</td><td>" +
             html_text(text(script, "severity")) + "</td><td>" + shown(text(script, "source")) +
             "</td><td>" +
             (hash.empty() ? std::string(kNotRecorded) : "<code>" + html_text(hash) + "</code>") +
             "</td></tr>";
    }
  }
  out += "</tbody></table>";
  if (!any_hash && count > 0) {
    out +=
        "<p class=\"small\">This results document records no hash of the scripts' "
        "definitions (it was not written by a scan that records them).</p>";
  }
  return out + "</section>";
}

std::string summary_section(const json& doc) {
  const json& summary = at(doc, "summary");
  static constexpr std::pair<const char*, const char*> kCounts[] = {
      {"endpoints", "Endpoints audited"},
      {"open_relay", "Open relay"},
      {"inconclusive", "Inconclusive"},
      {"unreachable", "Unreachable"},
      {"closed", "Closed"},
      {"unresolved", "Unresolved targets"},
      {"tests", "Tests run"},
      {"tests_failed", "Relay attempts accepted"}};
  std::string out = "<section id=\"summary\"><h2>Summary</h2><p>Run verdict: " +
                    badge(kEndpointVerdicts, text(summary, "verdict")) + "</p>";
  out += "<div class=\"summary\"><table class=\"kv counts\">";
  for (const auto& [key, label] : kCounts) {
    out += "<tr><th>" + std::string(label) + "</th><td class=\"num\" id=\"count-" + key + "\">" +
           std::to_string(number(at(summary, key))) + "</td></tr>";
  }
  out += "</table>";
  std::vector<ChartBar> bars;
  for (const auto& style : kEndpointVerdicts) {
    std::string key(style.verdict);
    std::replace(key.begin(), key.end(), '-', '_');
    bars.push_back({std::string(style.label), number(at(summary, key)), std::string(style.color)});
  }
  out += svg_bar_chart(bars, "Endpoints per verdict") + "</div>";

  const json& unresolved = list(doc, "unresolved");
  if (!unresolved.empty()) {
    out += "<h3>Unresolved targets (" + std::to_string(unresolved.size()) + ")</h3>";
    out +=
        "<table><thead><tr><th>Target</th><th>Where</th><th>Status</th><th>Why</th></tr>"
        "</thead><tbody>";
    for (const json& problem : unresolved) {
      out += "<tr><td><code>" + html_text(text(problem, "target")) + "</code></td><td>" +
             html_text(text(problem, "origin")) + "</td><td>" + html_text(text(problem, "status")) +
             "</td><td>" + html_text(text(problem, "message")) + "</td></tr>";
    }
    out += "</tbody></table>";
  }
  return out + "</section>";
}

// What the summary tables show of an endpoint, gathered in a first pass over the endpoints.
struct EndpointRow {
  std::size_t position = 0;  // in the document (0-based), to read it again for its section
  std::size_t index = 0;     // 1-based document position: the section's anchor "ep-<index>"
  std::string key;
  std::string address;
  std::string host_name;
  std::string verdict;
  std::string tls;
  long long accepted = 0;
  long long attempts = 0;
  std::string reason;
  std::string server;      // the EHLO name it gave itself
  std::string fix_script;  // its strongest accepted relay attempt, whose opened_by names the fix
};

// Endpoint ids within the report: from the document order, never from document text.
using EndpointOrder = std::vector<EndpointRow>;

// The endpoints an MX address was audited as: by its endpoint key when the scan recorded one
// (`scan DOMAIN`), else every port of the address (an `mx` map of its own).
std::string endpoint_badges_for(const json& address, const EndpointOrder& endpoints) {
  std::string out;
  const std::string key = text(address, "endpoint");
  for (const EndpointRow& endpoint : endpoints) {
    if (key.empty() ? endpoint.address != text(address, "address") : endpoint.key != key) {
      continue;
    }
    out += "<a href=\"#ep-" + std::to_string(endpoint.index) + "\">" + html_text(endpoint.key) +
           "</a> " + badge(kEndpointVerdicts, endpoint.verdict) + "<br>";
  }
  return out.empty() ? "<span class=\"absent\">not audited</span>" : out;
}

// A domain verdict: an endpoint verdict, or the two only a domain has.
std::string domain_badge(const std::string& verdict) {
  if (verdict == "no-mail") return "<span class=\"badge v-unknown\">no mail (null MX)</span>";
  if (verdict == "dns-error") return "<span class=\"badge v-unreachable\">DNS error</span>";
  return badge(kEndpointVerdicts, verdict);
}

// The MX map per domain, when the scan recorded one ("domains" as `relayaudit mx` writes them).
std::string mx_section(const json& doc, const EndpointOrder& endpoints) {
  const json& domains = at(doc, "domains");
  if (!domains.is_array() || domains.empty()) return "";
  std::string out = "<section id=\"mx-map\"><h2>MX map</h2>";
  for (const json& domain : domains) {
    out += "<h3>" + html_text(text(domain, "domain")) +
           (text(domain, "verdict").empty() ? "" : " " + domain_badge(text(domain, "verdict"))) +
           "</h3>";
    std::vector<std::string> notes;
    for (const json& finding : list(domain, "findings")) {
      notes.push_back(std::string(at(finding, "backup_mx") == true ? "Backup MX " : "MX ") +
                      text(finding, "mx") + " (" + text(finding, "endpoint") +
                      ") refuses the domain's own mail: " + text(finding, "message"));
    }
    if (at(domain, "null_mx") == true) notes.push_back("null MX: the domain accepts no mail");
    if (at(domain, "implicit_mx") == true) notes.push_back("no MX: its own address receives mail");
    if (!text(domain, "error").empty()) notes.push_back(text(domain, "error"));
    for (const auto& note : notes) out += "<p class=\"small\">" + html_text(note) + "</p>";
    out +=
        "<table><thead><tr><th>Preference</th><th>Host</th><th>TTL</th><th>Address</th>"
        "<th>Audited endpoints</th></tr></thead><tbody>";
    for (const json& host : list(domain, "hosts")) {
      const json& addresses = list(host, "addresses");
      const std::string host_cells =
          "<td class=\"num\">" + html_text(text(host, "preference")) + "</td><td>" +
          html_text(text(host, "name")) +
          (text(host, "error").empty()
               ? std::string()
               : "<br><span class=\"small\">" + html_text(text(host, "error")) + "</span>") +
          "</td><td class=\"num\">" + html_text(text(host, "ttl")) + "</td>";
      if (addresses.empty()) {
        out += "<tr>" + host_cells + "<td>" + std::string(kNotRecorded) + "</td><td></td></tr>";
      }
      for (const json& address : addresses) {
        out += "<tr>" + host_cells + "<td><code>" + html_text(text(address, "address")) +
               "</code></td><td>" + endpoint_badges_for(address, endpoints) + "</td></tr>";
      }
    }
    out += "</tbody></table>";
  }
  return out + "</section>";
}

std::pair<long long, long long> relay_attempts(const json& doc, const json& endpoint) {
  long long attempts = 0;
  long long accepted = 0;
  for (const json& test : list(endpoint, "tests")) {
    if (script_fact(doc, test, "kind") != "relay") continue;
    ++attempts;
    if (text(test, "verdict") == "fail") ++accepted;
  }
  return {accepted, attempts};
}

EndpointRow endpoint_row(const json& doc, std::size_t position, const json& endpoint) {
  EndpointRow row;
  row.position = position;
  row.index = position + 1;
  row.key = text(endpoint, "endpoint");
  row.address = text(endpoint, "address");
  row.host_name = text(endpoint, "host_name");
  row.verdict = text(endpoint, "verdict");
  row.tls = tls_label(endpoint);
  std::tie(row.accepted, row.attempts) = relay_attempts(doc, endpoint);
  row.reason = text(endpoint, "verdict_reason");
  // merge --by-vantage: where each verdict holds comes before why.
  if (const std::string vantages = vantage_verdicts_text(endpoint); !vantages.empty()) {
    row.reason = vantages + ". " + row.reason;
  }
  if (endpoint.contains("ehlo") && endpoint["ehlo"].is_object()) {
    row.server = text(endpoint["ehlo"], "server_domain");
  }
  for (const json& test : list(endpoint, "tests")) {
    if (text(test, "verdict") != "fail" || script_fact(doc, test, "kind") != "relay") continue;
    // The baseline (a stranger to a stranger) is the plainest hole to name.
    if (row.fix_script.empty() || script_fact(doc, test, "trick") == "baseline") {
      row.fix_script = text(test, "id");
    }
    if (script_fact(doc, test, "trick") == "baseline") break;
  }
  return row;
}

// A merged document (relayaudit merge) was scanned from its shards' hosts, not the merging one:
// "vantage(s) <code>a</code>, <code>b</code> (merged from 3 documents)"; "" for a single scan.
std::string merged_vantages(const json& run) {
  const json& shards = list(run, "shards");
  if (shards.empty()) return "";
  std::vector<std::string> names;
  for (const json& shard : shards) {
    const std::string name = text(shard, "vantage_name");
    if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
  }
  std::string out = "vantage(s) ";
  for (std::size_t i = 0; i < names.size(); ++i) {
    out += (i == 0 ? "<code>" : ", <code>") + html_text(names[i]) + "</code>";
  }
  return out + " (merged from " + std::to_string(shards.size()) + " documents)";
}

// What an auditor reads first: scope, vantage, verdict, and each open gateway with its fix.
std::string executive_summary(const json& doc, const EndpointOrder& endpoints) {
  constexpr std::size_t kOpenShown = 20;
  const json& summary = at(doc, "summary");
  const json& run = at(doc, "run");
  std::string targets;
  std::size_t target_count = 0;
  const json& options = at(doc, "options");
  for (const char* key : {"targets", "targets_files"}) {
    for (const json& target : list(options, key)) {
      if (target_count++ < 5) {
        targets += std::string(targets.empty() ? "" : ", ") +
                   (std::string(key) == "targets_files" ? "file " : "") + "<code>" +
                   html_text(target.is_string() ? target.get<std::string>() : "") + "</code>";
      }
    }
  }
  if (at(options, "lab") == true)
    targets += std::string(targets.empty() ? "" : ", ") + "the built-in lab";
  if (target_count > 5) targets += " and " + std::to_string(target_count - 5) + " more";
  std::string out = "<section id=\"executive-summary\"><h2>Executive summary</h2><p>Scope: " +
                    std::to_string(endpoints.size()) + " endpoint(s) from " +
                    (targets.empty() ? std::string("the targets recorded below") : targets) +
                    ", audited " + html_text(text(doc, "started_at")) + " to " +
                    html_text(text(doc, "finished_at")) + ".</p>";
  const std::string host = text(run, "host");
  const std::string merged = merged_vantages(run);
  out += "<p>Vantage: from " +
         (!merged.empty() ? merged
          : host.empty()  ? std::string("the scanning machine")
                          : "host <code>" + html_text(host) + "</code>") +
         (vantage_text(doc).rfind("direct", 0) == 0 || vantage_text(doc) == "not recorded"
              ? ", with its own addresses: each gateway judged what it allows a client at that "
                "address. Run from inside a trusted network, a closed verdict says nothing about "
                "strangers."
              : ", asking each gateway to judge the sessions as from another client address.") +
         "</p><p>Vantage recorded: " + html_text(vantage_text(doc)) + ".</p>";
  const long long open = number(at(summary, "open_relay"));
  out += "<p>Verdict: " + badge(kEndpointVerdicts, text(summary, "verdict")) + " " +
         (open > 0 ? std::to_string(open) + " gateway(s) relay mail for strangers."
                   : std::string("no gateway was seen relaying mail for strangers") +
                         (text(summary, "verdict") == "closed"
                              ? "."
                              : "; some could not be proven closed (see Summary)."));
  out += "</p>";
  if (open == 0) return out + "</section>";
  out +=
      "<table><thead><tr><th>Open gateway</th><th>Found by</th><th>What opens it (fix this)"
      "</th></tr></thead><tbody>";
  std::size_t shown = 0;
  for (const EndpointRow& row : endpoints) {
    if (row.verdict != "open-relay") continue;
    if (shown++ == kOpenShown) break;
    const RelayScript* script = find_builtin_script(received_bytes(row.fix_script));
    std::string fix = script == nullptr || script->opened_by.empty()
                          ? std::string("see the script's description")
                          : html_text(script->opened_by.front());
    out += "<tr><td><a href=\"#ep-" + std::to_string(row.index) + "\"><code>" + html_text(row.key) +
           "</code></a>" + (row.server.empty() ? "" : " " + html_text(row.server)) +
           "</td><td><code>" + html_text(row.fix_script) + "</code></td><td>" + fix + "</td></tr>";
  }
  out += "</tbody></table>";
  if (open > static_cast<long long>(kOpenShown)) {
    out += "<p>" + std::to_string(open - static_cast<long long>(kOpenShown)) +
           " more open gateways are in the endpoint table.</p>";
  }
  return out + "<p>The evidence follows: counts, every endpoint, and each endpoint's proofs.</p>" +
         "</section>";
}

std::string endpoints_table(const EndpointOrder& endpoints) {
  // Address targets have no host name: the column appears only when some endpoint has one.
  const bool host_names =
      std::any_of(endpoints.begin(), endpoints.end(),
                  [](const EndpointRow& row) { return !row.host_name.empty(); });
  std::string out =
      "<section id=\"endpoints\"><h2>Endpoints (" + std::to_string(endpoints.size()) + ")</h2>";
  out += "<table class=\"endpoints\"><thead><tr><th>Endpoint</th>" +
         std::string(host_names ? "<th>Host name</th>" : "") +
         "<th>Verdict</th><th>TLS</th><th>Relay attempts accepted</th><th>Why</th></tr></thead>"
         "<tbody>";
  for (const EndpointRow& row : endpoints) {
    out += "<tr class=\"endpoint-row\"><td><a href=\"#ep-" + std::to_string(row.index) +
           "\"><code>" + html_text(row.key) + "</code></a></td>" +
           (host_names ? "<td>" + html_text(row.host_name) + "</td>" : "") + "<td>" +
           badge(kEndpointVerdicts, row.verdict) + "</td><td class=\"tls\">" + html_text(row.tls) +
           "</td><td class=\"num\">" + std::to_string(row.accepted) + " of " +
           std::to_string(row.attempts) + "</td><td>" + html_text(row.reason) + "</td></tr>";
  }
  return out + "</tbody></table></section>";
}

}  // namespace

bool write_html(const json& results, const EndpointSource& source, const ChunkSink& sink) {
  // First pass: what the tables need of each endpoint, worst first as an auditor reads (open
  // relays at the top; document order within a verdict).
  EndpointOrder endpoints;
  for (std::size_t position : worst_first(source)) {
    source.visit(position, [&](const json& endpoint) {
      endpoints.push_back(endpoint_row(results, position, endpoint));
    });
  }
  const json& summary = at(results, "summary");
  const std::string title = "relayaudit report: " + text(summary, "verdict") + ", " +
                            std::to_string(endpoints.size()) + " endpoints, " +
                            text(results, "started_at");

  std::string out;
  out += "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">";
  // Defense in depth: even a markup injection the escaping missed could run no script.
  out +=
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
      "style-src 'unsafe-inline'\">";
  out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">";
  out += "<meta name=\"generator\" content=\"relayaudit\">";
  out += "<title>" + escape_html(title) + "</title><style>" + std::string(kStyle) +
         "</style></head><body>\n";
  out +=
      "<header><h1>SMTP open-relay audit</h1><p class=\"small\">Rendered from the results "
      "document of a relayaudit scan. Server text is shown as received, except that a byte "
      "that is not UTF-8 or a control or layout character appears as <span "
      "class=\"esc\">\\x07</span> (or \\uNNNN), and a backslash the server sent appears "
      "doubled (\\\\): \\x always starts an escape this report made, so a server that sends "
      "the text \\x1b shows as \\\\x1b.</p></header>\n";
  if (at(results, "complete") == false) {
    out +=
        "<div class=\"warning\"><strong>Incomplete scan.</strong> It was interrupted before "
        "every endpoint was audited; counts cover the endpoints that finished.</div>";
  }
  out += executive_summary(results, endpoints) + "\n";
  out += summary_section(results) + "\n";
  out += endpoints_table(endpoints) + "\n";
  out += mx_section(results, endpoints) + "\n";
  out += metadata_section(results) + scripts_section(results) + "\n";
  if (!sink(out)) return false;
  // Second pass: one section at a time, so the report never sits in memory whole.
  bool written = true;
  for (const EndpointRow& row : endpoints) {
    source.visit(row.position, [&](const json& endpoint) {
      written = written && sink(endpoint_section(results, row.index, endpoint) + "\n");
    });
    if (!written) return false;
  }
  return sink("<footer>relayaudit " + html_text(text(at(results, "tool"), "version")) +
              " &middot; results schema " + html_text(text(results, "schema_version")) +
              "</footer></body></html>\n");
}

std::string render_html(const json& results) {
  std::string out;
  write_html(results, DocumentEndpoints(results), [&out](std::string_view chunk) {
    out.append(chunk);
    return true;
  });
  return out;
}

std::optional<std::string> write_html_report(const std::filesystem::path& path,
                                             const json& results) {
  return write_output_file(path.string(), render_html(results));
}

}  // namespace relayaudit
