// Renders the results document as the auditor's self-contained HTML report.
#include "reports/html_report.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <map>
#include <string_view>
#include <utility>
#include <vector>

#include "reports/atomic_file.hpp"
#include "reports/html_text.hpp"
#include "reports/svg_chart.hpp"

namespace relayaudit {
namespace {

using nlohmann::json;

const json kAbsent;  // what a missing field reads as

// The document may be older, newer or hand-made: a missing or mistyped field is never fatal.
const json& at(const json& object, std::string_view key) {
  if (!object.is_object()) return kAbsent;
  const auto found = object.find(key);
  return found == object.end() ? kAbsent : *found;
}

const json& list(const json& object, std::string_view key) {
  static const json kEmpty = json::array();
  const json& value = at(object, key);
  return value.is_array() ? value : kEmpty;
}

// Scalars as the document wrote them; "" for null, objects and arrays.
std::string scalar(const json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_number() || value.is_boolean()) return value.dump();
  return "";
}

std::string text(const json& object, std::string_view key) {
  return scalar(at(object, key));
}

long long number(const json& value) {
  return value.is_number() ? value.get<long long>() : 0;
}

std::string seconds(long long milliseconds) {
  char buffer[48];
  std::snprintf(buffer, sizeof buffer, "%lld.%03lld s", milliseconds / 1000,
                std::llabs(milliseconds % 1000));
  return buffer;
}

std::string dump_safely(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

constexpr const char* kNotRecorded = "<span class=\"absent\">not recorded</span>";

// Escaped text, or "not recorded" when the document had nothing there.
std::string shown(const std::string& value) {
  return value.empty() ? std::string(kNotRecorded) : html_text(value);
}

// Endpoint verdicts, worst first; the CSS class comes from this table, never from the document.
struct VerdictStyle {
  std::string_view verdict;
  std::string_view label;
  std::string_view css;
  std::string_view color;
};

constexpr VerdictStyle kEndpointVerdicts[] = {
    {"open-relay", "open relay", "v-open", "#b91c1c"},
    {"inconclusive", "inconclusive", "v-inconclusive", "#b45309"},
    {"unreachable", "unreachable", "v-unreachable", "#4b5563"},
    {"closed", "closed", "v-closed", "#15803d"},
};

constexpr VerdictStyle kTestVerdicts[] = {
    {"fail", "fail", "v-open", ""},
    {"inconclusive", "inconclusive", "v-inconclusive", ""},
    {"info", "info", "v-info", ""},
    {"pass", "pass", "v-closed", ""},
};

std::size_t endpoint_rank(const std::string& verdict) {
  for (std::size_t i = 0; i < std::size(kEndpointVerdicts); ++i) {
    if (kEndpointVerdicts[i].verdict == verdict) return i;
  }
  return std::size(kEndpointVerdicts);
}

template <std::size_t N>
std::string badge(const VerdictStyle (&styles)[N], const std::string& verdict) {
  for (const auto& style : styles) {
    if (style.verdict == verdict) {
      return "<span class=\"badge " + std::string(style.css) + "\">" + std::string(style.label) +
             "</span>";
    }
  }
  return "<span class=\"badge v-unknown\">" + shown(verdict) + "</span>";
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

// --- transcripts as telnet sessions -----------------------------------------------------------

bool continues_reply(const std::string& line) {
  return line.size() >= 4 && line[3] == '-' &&
         std::all_of(line.begin(), line.begin() + 3, [](char c) { return c >= '0' && c <= '9'; });
}

// One session as typed at a telnet prompt: each reply under the command it answers. Pipelined
// commands went out in a batch; SMTP answers them in order, which lets us pair them back up.
std::string telnet_session(const std::vector<const json*>& lines, const std::string& head,
                           bool excerpt) {
  std::string body;
  std::deque<const json*> unanswered;
  bool in_reply = false;
  bool pipelined = false;
  const auto add = [&](const char* open, const char* prefix, const json& line, const char* close) {
    body += open;
    body += prefix;
    body += html_text(text(line, "line"));
    body += close;
    body += '\n';
  };
  for (const json* line : lines) {
    const std::string dir = text(*line, "dir");
    if (dir == "C") {
      unanswered.push_back(line);
    } else if (dir == "S") {
      if (!in_reply && !unanswered.empty()) {
        add("<b>", "C: ", *unanswered.front(), "</b>");
        unanswered.pop_front();
        pipelined = pipelined || !unanswered.empty();
      }
      add("", "S: ", *line, "");
      in_reply = continues_reply(text(*line, "line"));
    } else {
      add("<i>", "* ", *line, "</i>");
    }
  }
  // In a test's excerpt the reply to its last command (usually RSET) belongs to the next test.
  const char* unanswered_note =
      excerpt ? "</b> <i>(reply not in this excerpt)</i>" : "</b> <i>(no reply)</i>";
  for (const json* line : unanswered) add("<b>", "C: ", *line, unanswered_note);
  std::string out = "<div class=\"session-head\">" + head;
  if (pipelined) out += " <span class=\"small\">(sent pipelined; replies paired in order)</span>";
  out += "</div><pre class=\"transcript\">" + body + "</pre>";
  return out;
}

// Every session of a transcript, in the order each first appears.
std::string telnet_sessions(const json& transcript, const json& endpoint, bool excerpt) {
  std::vector<std::pair<long long, std::vector<const json*>>> sessions;
  for (const json& line : transcript) {
    const long long session = number(at(line, "session"));
    auto found = std::find_if(sessions.begin(), sessions.end(),
                              [&](const auto& entry) { return entry.first == session; });
    if (found == sessions.end()) {
      sessions.push_back({session, {}});
      found = std::prev(sessions.end());
    }
    found->second.push_back(&line);
  }
  const std::string command = "<code>$ telnet " + html_text(text(endpoint, "address")) + " " +
                              html_text(text(endpoint, "port")) + "</code>";
  std::string out;
  for (const auto& [session, lines] : sessions) {
    const std::string number_text = std::to_string(session);
    out += telnet_session(
        lines, excerpt ? "From session " + number_text : "Session " + number_text + ": " + command,
        excerpt);
  }
  return out;
}

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

// argv as a shell would take it back: arguments with anything but safe characters in quotes.
std::string shell_words(const json& command_line) {
  std::string out;
  for (const json& argument : command_line) {
    const std::string word = scalar(argument);
    if (!out.empty()) out += ' ';
    const bool plain = !word.empty() && word.find_first_not_of(
                                            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                            "0123456789_@%+=:,./-") == std::string::npos;
    if (plain) {
      out += word;
      continue;
    }
    out += '\'';
    for (char c : word) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
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
  row("Working directory", shown(text(run, "working_directory")));
  const std::string command = shell_words(list(run, "command_line"));
  row("Command line",
      command.empty() ? std::string(kNotRecorded) : "<code>" + html_text(command) + "</code>");
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

// Title, kind and severity of each script, as the first endpoint that ran it recorded them.
std::map<std::string, const json*> scripts_as_run(const json& doc) {
  std::map<std::string, const json*> found;
  for (const json& endpoint : list(doc, "endpoints")) {
    for (const json& test : list(endpoint, "tests")) found.emplace(text(test, "id"), &test);
  }
  return found;
}

// Source and hash of each script as the scan recorded them in "run" (results 1.1 and later).
std::map<std::string, const json*> scripts_as_loaded(const json& doc) {
  std::map<std::string, const json*> found;
  for (const json& script : list(at(doc, "run"), "scripts"))
    found.emplace(text(script, "id"), &script);
  return found;
}

std::string scripts_section(const json& doc) {
  const json& scripts = list(doc, "scripts");
  const auto as_run = scripts_as_run(doc);
  const auto as_loaded = scripts_as_loaded(doc);
  std::string out = "<h3>Scripts (" + std::to_string(scripts.size()) + ")</h3>";
  out +=
      "<table class=\"scripts\"><thead><tr><th>Script</th><th>Title</th><th>Kind</th>"
      "<th>Expects</th><th>Severity</th><th>Source</th><th>SHA-256</th></tr></thead><tbody>";
  bool any_hash = false;
  for (const json& script : scripts) {
    // The document lists ids; "run" adds source and hash. Script objects are read as well.
    const std::string id = script.is_string() ? script.get<std::string>() : text(script, "id");
    const auto loaded_entry = as_loaded.find(id);
    const json& loaded = loaded_entry == as_loaded.end() ? script : *loaded_entry->second;
    std::string hash = text(loaded, "sha256");
    if (hash.empty()) hash = text(loaded, "hash");
    any_hash = any_hash || !hash.empty();
    const auto test = as_run.find(id);
    const json& run = test == as_run.end() ? kAbsent : *test->second;
    out += "<tr><td><code>" + html_text(id) + "</code></td><td>" + html_text(text(run, "title")) +
           "</td><td>" + html_text(text(run, "kind")) + "</td><td>" +
           html_text(text(run, "expect")) + "</td><td>" + html_text(text(run, "severity")) +
           "</td><td>" + shown(text(loaded, "source")) + "</td><td>" +
           (hash.empty() ? std::string(kNotRecorded) : "<code>" + html_text(hash) + "</code>") +
           "</td></tr>";
  }
  out += "</tbody></table>";
  if (!any_hash && !scripts.empty()) {
    out +=
        "<p class=\"small\">This results document records the script ids only (it was not "
        "written by a scan that records the hash of each script's definition).</p>";
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

// Endpoint ids within the report: from the document order, never from document text.
using EndpointOrder = std::vector<std::pair<std::size_t, const json*>>;

std::string endpoint_badges_for(const std::string& address, const EndpointOrder& endpoints) {
  std::string out;
  for (const auto& [index, endpoint] : endpoints) {
    if (text(*endpoint, "address") != address) continue;
    out += "<a href=\"#ep-" + std::to_string(index) + "\">" +
           html_text(text(*endpoint, "endpoint")) + "</a> " +
           badge(kEndpointVerdicts, text(*endpoint, "verdict")) + "<br>";
  }
  return out.empty() ? "<span class=\"absent\">not audited</span>" : out;
}

// The MX map per domain, when the scan recorded one ("domains" as `relayaudit mx` writes them).
std::string mx_section(const json& doc, const EndpointOrder& endpoints) {
  const json& domains = at(doc, "domains");
  if (!domains.is_array()) return "";
  std::string out = "<section id=\"mx-map\"><h2>MX map</h2>";
  for (const json& domain : domains) {
    out += "<h3>" + html_text(text(domain, "domain")) + "</h3>";
    std::vector<std::string> notes;
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
               "</code></td><td>" + endpoint_badges_for(text(address, "address"), endpoints) +
               "</td></tr>";
      }
    }
    out += "</tbody></table>";
  }
  return out + "</section>";
}

std::pair<long long, long long> relay_attempts(const json& endpoint) {
  long long attempts = 0;
  long long accepted = 0;
  for (const json& test : list(endpoint, "tests")) {
    if (text(test, "kind") != "relay") continue;
    ++attempts;
    if (text(test, "verdict") == "fail") ++accepted;
  }
  return {accepted, attempts};
}

std::string endpoints_table(const EndpointOrder& endpoints) {
  // Address targets have no host name: the column appears only when some endpoint has one.
  const bool host_names = std::any_of(endpoints.begin(), endpoints.end(), [](const auto& entry) {
    return !text(*entry.second, "host_name").empty();
  });
  std::string out =
      "<section id=\"endpoints\"><h2>Endpoints (" + std::to_string(endpoints.size()) + ")</h2>";
  out += "<table class=\"endpoints\"><thead><tr><th>Endpoint</th>" +
         std::string(host_names ? "<th>Host name</th>" : "") +
         "<th>Verdict</th><th>Relay attempts accepted</th><th>Why</th></tr></thead><tbody>";
  for (const auto& [index, endpoint] : endpoints) {
    const auto [accepted, attempts] = relay_attempts(*endpoint);
    out += "<tr class=\"endpoint-row\"><td><a href=\"#ep-" + std::to_string(index) + "\"><code>" +
           html_text(text(*endpoint, "endpoint")) + "</code></a></td>" +
           (host_names ? "<td>" + html_text(text(*endpoint, "host_name")) + "</td>" : "") + "<td>" +
           badge(kEndpointVerdicts, text(*endpoint, "verdict")) + "</td><td class=\"num\">" +
           std::to_string(accepted) + " of " + std::to_string(attempts) + "</td><td>" +
           html_text(text(*endpoint, "verdict_reason")) + "</td></tr>";
  }
  return out + "</tbody></table></section>";
}

std::string reply_lines(const json& reply) {
  std::string out;
  for (const json& line : list(reply, "lines")) {
    if (!out.empty()) out += "\n";
    out += html_text(scalar(line));
  }
  return out;
}

std::string endpoint_facts(const json& endpoint) {
  std::string out = "<table class=\"kv\">";
  const auto row = [&](const char* name, const std::string& value_html) {
    out += "<tr><th>" + std::string(name) + "</th><td>" + value_html + "</td></tr>";
  };
  row("Address", "<code>" + html_text(text(endpoint, "address")) + "</code> port " +
                     html_text(text(endpoint, "port")) + " (IPv" +
                     html_text(text(endpoint, "ip_version")) + ")");
  row("Host name", shown(text(endpoint, "host_name")));
  std::string targets;
  for (const json& target : list(endpoint, "targets")) {
    targets += (targets.empty() ? "" : ", ") + html_text(scalar(target));
  }
  row("Targets", targets.empty() ? std::string(kNotRecorded) : targets);
  std::string ended =
      html_text(text(endpoint, "status")) + " at " + html_text(text(endpoint, "stage"));
  if (!text(endpoint, "error").empty()) ended += ": " + html_text(text(endpoint, "error"));
  row("Last session", ended);
  row("Sessions", html_text(text(endpoint, "connections")) + " connections, " +
                      html_text(text(endpoint, "round_trips")) + " round trips, " +
                      html_text(text(endpoint, "started_ms")) + " to " +
                      html_text(text(endpoint, "finished_ms")) + " ms into the scan");
  const json& banner = at(endpoint, "banner");
  row("Banner",
      banner.is_object() ? "<code>" + reply_lines(banner) + "</code>" : std::string(kNotRecorded));
  const json& ehlo = at(endpoint, "ehlo");
  if (ehlo.is_object()) {
    std::string capabilities;
    for (const json& capability : list(ehlo, "capabilities")) {
      capabilities += (capabilities.empty() ? "" : ", ") + html_text(scalar(capability));
    }
    row(at(ehlo, "used_helo") == true ? "HELO" : "EHLO",
        html_text(text(ehlo, "server_domain")) +
            (capabilities.empty() ? "" : "<br><span class=\"small\">" + capabilities + "</span>"));
  }
  return out + "</table>";
}

std::string evidence_and_findings(const json& endpoint) {
  std::string out;
  const json& evidence = at(endpoint, "evidence");
  if (evidence.is_object()) {
    out += "<div class=\"evidence\"><strong>Evidence: " + html_text(text(evidence, "strength")) +
           "</strong>" +
           (at(evidence, "sink_suspected") == true
                ? " <span class=\"small\">(a sink or catch-all is suspected)</span>"
                : "") +
           "<br>" + html_text(text(evidence, "detail")) + "</div>";
  }
  const json& findings = list(endpoint, "findings");
  if (!findings.empty()) {
    out += "<h3>Findings</h3><ul class=\"findings\">";
    for (const json& finding : findings) {
      out += "<li><code>" + html_text(text(finding, "id")) + "</code> (" +
             html_text(text(finding, "severity")) + "): " + html_text(text(finding, "message")) +
             "</li>";
    }
    out += "</ul>";
  }
  return out;
}

std::string test_row(const json& test, const std::string& proof_id) {
  const std::string verdict = text(test, "verdict");
  std::string sent = "MAIL FROM:&lt;" + html_text(text(test, "mail_from")) + "&gt;";
  for (const json& recipient : list(test, "rcpt_to")) {
    sent += " RCPT TO:&lt;" + html_text(scalar(recipient)) + "&gt;";
  }
  std::string outcome = html_text(text(test, "outcome")) + " at " + html_text(text(test, "stage"));
  if (text(test, "status") != "ok") outcome += "<br>" + html_text(text(test, "status"));
  const json& reply = at(test, "reply");
  std::string reply_html =
      reply.is_object() ? "<code>" + reply_lines(reply) + "</code>" : std::string(kNotRecorded);
  for (const json& refused : list(test, "refused_senders")) {
    reply_html += "<br><span class=\"small\">sender &lt;" + html_text(text(refused, "sender")) +
                  "&gt; refused first: " + reply_lines(at(refused, "reply")) + "</span>";
  }
  const json& data_reply = at(test, "data_reply");
  if (data_reply.is_object()) {
    reply_html += "<br><span class=\"small\">DATA: " + reply_lines(data_reply) + "</span>";
  }
  if (!text(test, "detail").empty()) {
    reply_html += "<br><span class=\"small\">" + html_text(text(test, "detail")) + "</span>";
  }
  const std::string refusal = text(test, "refusal");
  return "<tr class=\"test" + std::string(verdict == "fail" ? " fail" : "") + "\"><td><code>" +
         html_text(text(test, "id")) + "</code><br><span class=\"small\">" +
         html_text(text(test, "title")) + "<br>" + sent + "</span></td><td>" + outcome +
         "</td><td>" + reply_html + "</td><td>" +
         (refusal.empty() || refusal == "none" ? "" : html_text(refusal)) +
         "</td><td class=\"num\">" + html_text(text(test, "attempts")) + "</td><td>" +
         (proof_id.empty()
              ? badge(kTestVerdicts, verdict)
              : "<a href=\"#" + proof_id + "\">" + badge(kTestVerdicts, verdict) + "</a>") +
         "</td></tr>";
}

// A failed relay attempt is the finding; its transcript is the proof an auditor cites.
bool has_proof(const json& test) {
  return text(test, "verdict") == "fail" && !list(test, "transcript").empty();
}

std::string proof_id(std::size_t endpoint_index, std::size_t test_index) {
  return "ep-" + std::to_string(endpoint_index) + "-proof-" + std::to_string(test_index + 1);
}

std::string endpoint_section(std::size_t index, const json& endpoint) {
  std::string out = "<section class=\"endpoint\" id=\"ep-" + std::to_string(index) + "\"><h2>" +
                    badge(kEndpointVerdicts, text(endpoint, "verdict")) + " <code>" +
                    html_text(text(endpoint, "endpoint")) + "</code></h2>";
  out += "<p>" + html_text(text(endpoint, "verdict_reason")) + "</p>";
  out += endpoint_facts(endpoint) + evidence_and_findings(endpoint);
  const json& tests = list(endpoint, "tests");
  out += "<h3>Scripts (" + std::to_string(tests.size()) + ")</h3>";
  if (!tests.empty()) {
    out +=
        "<table class=\"tests\"><thead><tr><th>Script</th><th>Outcome</th><th>Reply</th>"
        "<th>Refusal</th><th>Tries</th><th>Verdict</th></tr></thead><tbody>";
    for (std::size_t i = 0; i < tests.size(); ++i) {
      out += test_row(tests[i], has_proof(tests[i]) ? proof_id(index, i) : "");
    }
    out += "</tbody></table>";
  }
  for (std::size_t i = 0; i < tests.size(); ++i) {
    if (!has_proof(tests[i])) continue;
    out += "<h3 id=\"" + proof_id(index, i) + "\">Proof: <code>" + html_text(text(tests[i], "id")) +
           "</code> " + html_text(text(tests[i], "outcome")) + "</h3>" +
           telnet_sessions(list(tests[i], "transcript"), endpoint, true);
  }
  const json& transcript = list(endpoint, "transcript");
  out += "<h3>Transcript</h3>";
  out += transcript.empty() ? "<p>" + std::string(kNotRecorded) + "</p>"
                            : telnet_sessions(transcript, endpoint, false);
  return out + "</section>";
}

}  // namespace

std::string render_html(const json& results) {
  EndpointOrder endpoints;
  for (const json& endpoint : list(results, "endpoints")) {
    endpoints.push_back({endpoints.size() + 1, &endpoint});
  }
  // Worst first, as an auditor reads: open relays at the top; document order within a verdict.
  std::stable_sort(endpoints.begin(), endpoints.end(), [](const auto& a, const auto& b) {
    return endpoint_rank(text(*a.second, "verdict")) < endpoint_rank(text(*b.second, "verdict"));
  });
  const json& summary = at(results, "summary");
  const std::string title = "relayaudit report: " + text(summary, "verdict") + ", " +
                            std::to_string(endpoints.size()) + " endpoints, " +
                            text(results, "started_at");

  std::string out;
  out.reserve(4096 + endpoints.size() * 32768);
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
      "document of a relayaudit scan. Server text is shown as received: bytes that were not "
      "UTF-8 appear as \\xNN and, in a line holding such bytes, a backslash is doubled; "
      "<span class=\"esc\">\\x07</span> marks a control or layout character the server "
      "sent.</p></header>\n";
  if (at(results, "complete") == false) {
    out +=
        "<div class=\"warning\"><strong>Incomplete scan.</strong> It was interrupted before "
        "every endpoint was audited; counts cover the endpoints that finished.</div>";
  }
  out += summary_section(results) + "\n";
  out += endpoints_table(endpoints) + "\n";
  out += mx_section(results, endpoints) + "\n";
  out += metadata_section(results) + scripts_section(results) + "\n";
  for (const auto& [index, endpoint] : endpoints) {
    out += endpoint_section(index, *endpoint) + "\n";
  }
  out += "<footer>relayaudit " + html_text(text(at(results, "tool"), "version")) +
         " &middot; results schema " + html_text(text(results, "schema_version")) +
         "</footer></body></html>\n";
  return out;
}

std::optional<std::string> write_html_report(const std::filesystem::path& path,
                                             const json& results) {
  return write_file_atomically(path, render_html(results));
}

}  // namespace relayaudit
