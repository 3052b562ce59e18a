// Renders one endpoint of the results document for the HTML report.
#include "reports/html_endpoint.hpp"

#include <algorithm>
#include <deque>
#include <utility>
#include <vector>

#include "reports/document_view.hpp"
#include "reports/html_document.hpp"
#include "reports/html_tls.hpp"
#include "reports/received_text.hpp"
#include "reports/vantage_verdicts.hpp"

namespace relayaudit::html {
namespace {

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
    body += html_text_of_bytes(received_line(line));
    body += close;
    body += '\n';
  };
  for (const json* line : lines) {
    const std::string dir = line_direction(*line);
    if (dir == "C") {
      unanswered.push_back(line);
    } else if (dir == "S") {
      if (!in_reply && !unanswered.empty()) {
        add("<b>", "C: ", *unanswered.front(), "</b>");
        unanswered.pop_front();
        pipelined = pipelined || !unanswered.empty();
      }
      add("", "S: ", *line, "");
      in_reply = continues_reply(line_text(*line));
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
std::string telnet_sessions(const std::vector<const json*>& transcript, const json& endpoint,
                            bool excerpt) {
  std::vector<std::pair<long long, std::vector<const json*>>> sessions;
  for (const json* line : transcript) {
    const long long session = line_session(*line);
    auto found = std::find_if(sessions.begin(), sessions.end(),
                              [&](const auto& entry) { return entry.first == session; });
    if (found == sessions.end()) {
      sessions.push_back({session, {}});
      found = std::prev(sessions.end());
    }
    found->second.push_back(line);
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
  std::string domains;
  for (const json& domain : list(endpoint, "mail_domains")) {
    domains += (domains.empty() ? "" : ", ") + html_text(scalar(domain));
  }
  if (!text(endpoint, "domains_unchecked").empty()) {
    domains += " <span class=\"small\">(postmaster not asked for " +
               html_text(text(endpoint, "domains_unchecked")) + " more)</span>";
  }
  if (!domains.empty()) row("MX of", domains);
  std::string listings;
  for (const json& listing : list(endpoint, "dnsbl")) {
    std::string codes;
    for (const json& code : list(listing, "return_codes")) codes += " " + html_text(scalar(code));
    const std::string why = text(listing, text(listing, "status") == "error" ? "error" : "reason");
    listings += (listings.empty() ? "" : "<br>") + html_text(text(listing, "zone")) + ": <strong>" +
                html_text(text(listing, "status")) + "</strong>" + codes +
                (why.empty() ? "" : " <span class=\"small\">" + html_text(why) + "</span>");
  }
  if (!listings.empty()) row("DNSBL", listings);
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
  // TLS findings are listed in the TLS block, next to the facts they come from.
  std::vector<const json*> findings;
  for (const json& finding : list(endpoint, "findings")) {
    if (!is_tls_finding_object(finding)) findings.push_back(&finding);
  }
  if (!findings.empty()) {
    out += "<h3>Findings</h3><ul class=\"findings\">";
    for (const json* each : findings) {
      const json& finding = *each;
      out += "<li><code>" + html_text(text(finding, "id")) + "</code> (" +
             html_text(text(finding, "severity")) + "): " + html_text(text(finding, "message")) +
             "</li>";
    }
    out += "</ul>";
  }
  return out;
}

// --tls both runs a script on each path; the note tells the two results apart.
std::string path_note(const json& test) {
  return text(test, "path") == "tls" ? " <span class=\"small\">over TLS</span>" : "";
}

std::string test_row(const json& results, const json& test, const std::string& proof_id) {
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
         html_text(text(test, "id")) + "</code>" + path_note(test) + "<br><span class=\"small\">" +
         html_text(script_fact(results, test, "title")) + "<br>" + sent + "</span></td><td>" +
         outcome + "</td><td>" + reply_html + "</td><td>" +
         (refusal.empty() || refusal == "none" ? "" : html_text(refusal)) +
         "</td><td class=\"num\">" + html_text(text(test, "attempts")) + "</td><td>" +
         (proof_id.empty()
              ? badge(kTestVerdicts, verdict)
              : "<a href=\"#" + proof_id + "\">" + badge(kTestVerdicts, verdict) + "</a>") +
         "</td></tr>";
}

// A failed relay attempt is the finding; its transcript is the proof an auditor cites.
bool has_proof(const json& endpoint, const json& test) {
  return text(test, "verdict") == "fail" && !test_lines(endpoint, test).empty();
}

std::string proof_id(std::size_t endpoint_index, std::size_t test_index) {
  return "ep-" + std::to_string(endpoint_index) + "-proof-" + std::to_string(test_index + 1);
}
// Above this many endpoints, closed and open ones are shown without their whole transcript.
constexpr int kFleetEndpoints = 20;

// Which gateway this is, beside its address: the targets as written and the server's own name.
std::string gateway_names(const json& endpoint) {
  std::string names;
  for (const json& target : list(endpoint, "targets")) {
    if (!target.is_string() || target == endpoint.value("endpoint", "") ||
        target == endpoint.value("address", "")) {
      continue;
    }
    names += (names.empty() ? "" : ", ") + html_text(target.get<std::string>());
  }
  const json& ehlo = endpoint.contains("ehlo") ? endpoint["ehlo"] : json();
  if (ehlo.is_object() && ehlo.contains("server_domain") && ehlo["server_domain"].is_string() &&
      !ehlo["server_domain"].get<std::string>().empty()) {
    names += std::string(names.empty() ? "" : ", ") + "server " +
             html_text(ehlo["server_domain"].get<std::string>());
  }
  return names.empty() ? "" : " <span class=\"gateway-names\">" + names + "</span>";
}

}  // namespace

std::string endpoint_section(const json& results, std::size_t index, const json& endpoint) {
  std::string out = "<section class=\"endpoint\" id=\"ep-" + std::to_string(index) + "\"><h2>" +
                    badge(kEndpointVerdicts, text(endpoint, "verdict")) + " <code>" +
                    html_text(text(endpoint, "endpoint")) + "</code>" + gateway_names(endpoint) +
                    "</h2>";
  out += "<p>" + html_text(text(endpoint, "verdict_reason")) + "</p>";
  if (const std::string vantages = vantage_verdicts_text(endpoint); !vantages.empty()) {
    out += "<p class=\"vantages\">Per vantage: " + html_text(vantages) + "</p>";
  }
  out += endpoint_facts(endpoint) + evidence_and_findings(endpoint) + tls_block(endpoint);
  const json& tests = list(endpoint, "tests");
  const json& summary = results.contains("summary") ? results["summary"] : json();
  const bool fleet = summary.is_object() && summary.value("endpoints", 0) > kFleetEndpoints;
  out += "<h3>Scripts (" + std::to_string(tests.size()) + ")</h3>";
  if (!tests.empty()) {
    out +=
        "<table class=\"tests\"><thead><tr><th>Script</th><th>Outcome</th><th>Reply</th>"
        "<th>Refusal</th><th>Tries</th><th>Verdict</th></tr></thead><tbody>";
    // At fleet size the scripts that passed share one row; the others keep theirs.
    std::vector<std::string> passed;
    for (std::size_t i = 0; i < tests.size(); ++i) {
      if (fleet && text(tests[i], "verdict") == "pass") {
        passed.push_back(html_text(text(tests[i], "id")) + path_note(tests[i]));
        continue;
      }
      out += test_row(results, tests[i], has_proof(endpoint, tests[i]) ? proof_id(index, i) : "");
    }
    if (!passed.empty()) {
      std::string names;
      for (const auto& name : passed) names += (names.empty() ? "" : ", ") + name;
      out += "<tr class=\"passed-scripts\"><td colspan=\"6\">" + std::to_string(passed.size()) +
             " passed (each answered as expected; details in results.json): " + names +
             "</td></tr>";
    }
    out += "</tbody></table>";
  }
  for (std::size_t i = 0; i < tests.size(); ++i) {
    if (!has_proof(endpoint, tests[i])) continue;
    out += "<h3 id=\"" + proof_id(index, i) + "\">Proof: <code>" + html_text(text(tests[i], "id")) +
           "</code>" + path_note(tests[i]) + " " + html_text(text(tests[i], "outcome")) + "</h3>" +
           telnet_sessions(test_lines(endpoint, tests[i]), endpoint, true);
  }
  const std::vector<const json*> transcript = endpoint_lines(endpoint);
  out += "<h3>Transcript</h3>";
  // At fleet size every line of every endpoint would bury the evidence: a closed endpoint's table
  // says what each script got, an open one's proofs show each acceptance, and results.json keeps
  // every line. Inconclusive and unreachable endpoints keep theirs: it shows what went wrong.
  const std::string verdict = text(endpoint, "verdict");
  if (fleet && (verdict == "closed" || verdict == "open-relay") && !transcript.empty()) {
    out += "<p>" + std::to_string(transcript.size()) + " lines, left out of this report at fleet " +
           "size (more than " + std::to_string(kFleetEndpoints) + " endpoints)" +
           (verdict == "open-relay" ? "; each accepted attempt's proof is above" : "") +
           ": every line is in results.json (endpoint <code>" +
           html_text(text(endpoint, "endpoint")) + "</code>).</p>";
    return out + "</section>";
  }
  out += transcript.empty() ? "<p>" + std::string(kNotRecorded) + "</p>"
                            : telnet_sessions(transcript, endpoint, false);
  return out + "</section>";
}

}  // namespace relayaudit::html
