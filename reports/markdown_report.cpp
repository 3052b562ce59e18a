// Markdown job summary of a results document, with every piece of server text made inert.
#include "reports/markdown_report.hpp"

#include <algorithm>
#include <cstdio>
#include <functional>
#include <sstream>
#include <vector>

#include "relaytests/script_library.hpp"
#include "reports/document_view.hpp"
#include "reports/endpoint_source.hpp"
#include "reports/endpoint_title.hpp"
#include "reports/markdown_text.hpp"
#include "reports/received_text.hpp"
#include "reports/tls_label.hpp"
#include "reports/vantage_text.hpp"
#include "reports/vantage_verdicts.hpp"
#include "reports/xml_text.hpp"

namespace relayaudit {
namespace {

using nlohmann::json;

// Document text as written, for code() and plain() to escape; "" for null or any other type.
std::string string_or_empty(const json& value) {
  return value.is_string() ? value.get<std::string>() : "";
}

// Text outside code: nothing in it can start Markdown or HTML.
std::string plain(std::string_view text) {
  return markdown_plain(text);
}

std::size_t longest_backtick_run(std::string_view text) {
  std::size_t longest = 0;
  std::size_t run = 0;
  for (char c : text) {
    run = c == '`' ? run + 1 : 0;
    longest = std::max(longest, run);
  }
  return longest;
}

// A code span that shows `visible` (already through visible_text) exactly: its fence is longer than
// any backtick run inside, and content that starts or ends with a backtick or a space is padded
// with one space on each side (CommonMark strips exactly one from each side when both are there).
// In a table cell each pipe is escaped: GFM splits cells before it parses code spans. Empty text
// gives "".
std::string code_span(const std::string& visible, bool in_table = true) {
  if (visible.empty()) return "";
  const std::string fence(longest_backtick_run(visible) + 1, '`');
  const bool pad = visible.front() == '`' || visible.front() == ' ' || visible.back() == '`' ||
                   visible.back() == ' ';
  std::string out = fence + (pad ? " " : "");
  for (char c : visible) {
    if (c == '|' && in_table) out += '\\';
    out += c;
  }
  return out + (pad ? " " : "") + fence;
}

// code_span of document text: visible_text applies the display escape rule once.
std::string code(std::string_view text, bool in_table = true) {
  return code_span(visible_text(text), in_table);
}

// A fenced block for multi-line text; its fence is longer than any backtick run in the content,
// so no line of the content can close it.
std::string fenced(const std::string& visible_lines) {
  const std::string fence(std::max<std::size_t>(3, longest_backtick_run(visible_lines) + 1), '`');
  return fence + "text\n" + visible_lines + "\n" + fence + "\n";
}

std::string title_for(const std::string& verdict) {
  if (verdict == "open-relay") return "open relay found";
  if (verdict == "inconclusive") return "inconclusive, no open relay proven";
  if (verdict == "unreachable") return "endpoints unreachable, no open relay found";
  if (verdict == "closed") return "no open relay";
  return plain(verdict);
}

// "2.5 s": the run's duration in the heading.
std::string duration_label(long long milliseconds) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f s", static_cast<double>(milliseconds) / 1e3);
  return text;
}

std::string mailbox(const json& address) {
  return code("<" + string_or_empty(address) + ">");
}

std::string recipients(const json& test) {
  std::string cell;
  for (const auto& recipient : test.at("rcpt_to")) {
    if (!cell.empty()) cell += " ";
    cell += mailbox(recipient);
  }
  return cell.empty() ? "none" : cell;
}

// The targets as written and the MX or host name DNS gave, and the name the server gives itself
// when that differs (both visible text already).
std::string host_cell(const json& endpoint) {
  const std::string asked = names_as_asked(endpoint);
  const std::string server = server_name(endpoint);
  std::string cell = asked.empty() ? "" : code_span(asked);
  if (!server.empty() && server != string_or_empty(endpoint.at("host_name"))) {
    cell +=
        (cell.empty() ? "server " : " (server ") + code_span(server) + (asked.empty() ? "" : ")");
  }
  return cell;
}

std::string reply_cell(const json& reply) {
  if (!reply.is_object()) return "no reply";
  std::string cell;
  for (const auto& line : reply.at("lines")) {
    if (!cell.empty()) cell += " ";
    cell += code(line.get<std::string>());
  }
  return cell.empty() ? code(std::to_string(reply.at("code").get<int>())) : cell;
}

// --tls both runs a script on each path: the path tells its two rows apart.
std::string tls_path_suffix(const json& test) {
  return ran_over_tls(test) ? " over TLS" : "";
}

bool has_tag(const json& results, const json& test, std::string_view tag) {
  for (const auto& each : script_tags(results, test)) {
    if (each == tag) return true;
  }
  return false;
}

void write_counts(std::ostream& out, const json& results) {
  const json& summary = results.at("summary");
  out << "| verdict | endpoints |\n| --- | ---: |\n";
  for (const char* verdict : {"open_relay", "inconclusive", "unreachable", "closed"}) {
    std::string name = verdict;
    std::replace(name.begin(), name.end(), '_', '-');
    out << "| " << name << " | " << summary.at(verdict).get<int>() << " |\n";
  }
  out << "| **total** | **" << summary.at("endpoints").get<int>() << "** |\n";
  out << "| unresolved targets | " << summary.at("unresolved").get<int>() << " |\n\n";
  out << summary.at("tests").get<int>() << " tests run, " << summary.at("tests_failed").get<int>()
      << " failed.\n\n";
  out << "Vantage: " << markdown_plain(vantage_text(results)) << ".\n\n";
}

// Calls `each` with the endpoints at `positions`, in that order.
void for_each_at(const EndpointSource& source, const std::vector<std::size_t>& positions,
                 const std::function<void(const json&)>& each) {
  for (std::size_t position : positions) source.visit(position, each);
}

// A merged audit from several vantages says where each verdict holds ("merge --by-vantage").
std::string with_vantages(const json& endpoint, const std::string& reason) {
  const std::string vantages = vantage_verdicts_text(endpoint);
  return vantages.empty() ? reason : vantages + ". " + reason;
}

void write_endpoint_table(std::ostream& out, const EndpointSource& source,
                          const std::vector<std::size_t>& order) {
  out << "### Endpoints\n\n";
  if (order.empty()) {
    out << "No endpoint was audited.\n\n";
    return;
  }
  out << "| verdict | endpoint | host | TLS | banner | reason |\n"
      << "| --- | --- | --- | --- | --- | --- |\n";
  const std::vector<std::size_t> shown(
      order.begin(),
      order.begin() + static_cast<std::ptrdiff_t>(std::min(order.size(), kMaxEndpointRows)));
  for_each_at(source, shown, [&out](const json& endpoint) {
    out << "| " << plain(string_or_empty(endpoint.at("verdict"))) << " | "
        << code(string_or_empty(endpoint.at("endpoint"))) << " | " << host_cell(endpoint) << " | "
        << plain(tls_label(endpoint)) << " | "
        << (endpoint.at("banner").is_object() ? code_span(reply_summary(endpoint.at("banner")))
                                              : "")
        << " | " << plain(with_vantages(endpoint, string_or_empty(endpoint.at("verdict_reason"))))
        << " |\n";
  });
  out << "\n";
  if (order.size() > kMaxEndpointRows) {
    out << "The " << order.size() - kMaxEndpointRows
        << " further endpoints are in the results JSON, the JUnit and the SARIF reports.\n\n";
  }
}

void write_open_relay(std::ostream& out, const json& results, const json& endpoint) {
  out << "#### " << code_span(endpoint_title(endpoint), false);
  out << "\n\nVerdict: " << plain(string_or_empty(endpoint.at("verdict_reason"))) << "\n\n";
  if (const std::string vantages = vantage_verdicts_text(endpoint); !vantages.empty()) {
    out << "Per vantage: " << plain(vantages) << "\n\n";
  }
  if (endpoint.contains("evidence")) {
    const json& evidence = endpoint["evidence"];
    out << "Evidence: **" << plain(string_or_empty(evidence.at("strength"))) << "**";
    if (evidence.at("sink_suspected") == true) out << " (a sink or catch-all is suspected)";
    out << ". " << plain(string_or_empty(evidence.at("detail"))) << "\n\n";
  }
  std::vector<const json*> failed;
  for (const auto& test : endpoint.at("tests")) {
    if (test.at("verdict") == "fail") failed.push_back(&test);
  }
  // Plain external recipients first: they are the strongest evidence, as in the terminal.
  const auto strength = [&](const json* test) {
    if (script_fact(results, *test, "trick") == "baseline") return 0;
    return has_tag(results, *test, "address-form") ? 2 : 1;
  };
  std::stable_sort(failed.begin(), failed.end(),
                   [&](const json* a, const json* b) { return strength(a) < strength(b); });
  out << "| script | severity | MAIL FROM | RCPT TO | reply |\n| --- | --- | --- | --- | --- |\n";
  for (const json* test : failed) {
    out << "| " << code(string_or_empty(test->at("id"))) << tls_path_suffix(*test) << " | "
        << plain(script_fact(results, *test, "severity")) << " | " << mailbox(test->at("mail_from"))
        << " | " << recipients(*test) << " | " << reply_cell(test->at("reply")) << " |\n";
  }
  out << "\n";
  // What to fix: the settings known to open each hole, once per script.
  std::vector<std::string> fixes;
  for (const json* test : failed) {
    const std::string id = string_or_empty(test->at("id"));
    const RelayScript* script = find_builtin_script(received_bytes(id));
    if (script == nullptr || script->opened_by.empty()) continue;
    const std::string fix =
        "- " + code(id, false) + ": opened by " + plain(script->opened_by.front());
    if (std::find(fixes.begin(), fixes.end(), fix) == fixes.end()) fixes.push_back(fix);
  }
  if (!fixes.empty()) {
    out << "What opens these holes (close them; `relayaudit tests show ID` lists every "
           "setting):\n\n";
    for (const auto& fix : fixes) out << fix << "\n";
    out << "\n";
  }
  const auto lines =
      failed.empty() ? std::vector<const json*>() : test_lines(endpoint, *failed.front());
  if (!lines.empty()) {
    out << "Transcript of " << code(string_or_empty(failed.front()->at("id")), false)
        << tls_path_suffix(*failed.front()) << ":\n\n"
        << fenced(transcript_text(lines)) << "\n";
  }
}

// Most severe first; an unknown severity last.
int finding_rank(const std::string& severity) {
  static constexpr const char* kOrder[] = {"critical", "high", "medium", "low", "info"};
  for (int i = 0; i < 5; ++i) {
    if (severity == kOrder[i]) return i;
  }
  return 5;
}

void write_findings(std::ostream& out, const EndpointSource& source,
                    const std::vector<std::size_t>& order) {
  // Rows by severity, each kept in endpoint order; only the first kMaxFindingRows are written,
  // so a fleet's job summary stays under GitHub's 1 MiB.
  std::vector<std::vector<std::string>> by_rank(6);
  std::size_t total = 0;
  for_each_at(source, order, [&](const json& endpoint) {
    if (!endpoint.contains("findings")) return;
    for (const auto& finding : endpoint.at("findings")) {
      const std::string severity = string_or_empty(finding.at("severity"));
      auto& rows = by_rank[static_cast<std::size_t>(finding_rank(severity))];
      ++total;
      if (rows.size() >= kMaxFindingRows) continue;  // never shown: not even kept
      rows.push_back("| " + code(string_or_empty(endpoint.at("endpoint"))) + " | " +
                     code(string_or_empty(finding.at("id"))) + " | " + plain(severity) + " | " +
                     plain(string_or_empty(finding.at("message"))) + " |\n");
    }
  });
  if (total == 0) return;
  out << "### Findings\n\n| endpoint | finding | severity | detail |\n"
      << "| --- | --- | --- | --- |\n";
  std::size_t written = 0;
  for (const auto& rows : by_rank) {
    for (const auto& row : rows) {
      if (written == kMaxFindingRows) break;
      out << row;
      ++written;
    }
  }
  out << "\n";
  if (total > written) {
    out << "The " << total - written
        << " further findings (the least severe) are in the results JSON and the SARIF report.\n\n";
  }
}

// Mail-domain targets: the worst verdict of each domain's MX endpoints.
void write_domains(std::ostream& out, const json& results) {
  if (!results.contains("domains") || results["domains"].empty()) return;
  out << "### Mail domains\n\n| verdict | domain | MX hosts | endpoints | notes |\n"
      << "| --- | --- | --- | --- | --- |\n";
  for (const auto& domain : results["domains"]) {
    std::string hosts;
    for (const auto& host : domain.at("hosts")) {
      if (!hosts.empty()) hosts += "<br>";
      hosts += std::to_string(host.at("preference").get<int>()) + " " +
               code(string_or_empty(host.at("name")));
    }
    std::vector<std::string> notes;
    if (domain.at("null_mx") == true) notes.push_back("null MX: accepts no mail");
    if (domain.at("implicit_mx") == true) notes.push_back("no MX: its own address receives mail");
    if (domain.at("error").is_string()) notes.push_back(plain(string_or_empty(domain.at("error"))));
    for (const auto& finding : domain.at("findings")) {
      notes.push_back(std::string(finding.at("backup_mx") == true ? "backup MX " : "MX ") +
                      code(string_or_empty(finding.at("mx"))) + " refuses the domain's mail");
    }
    std::string joined;
    for (const auto& note : notes) joined += (joined.empty() ? "" : "; ") + note;
    out << "| " << plain(string_or_empty(domain.at("verdict"))) << " | "
        << code(string_or_empty(domain.at("domain"))) << " | " << hosts << " | "
        << domain.at("endpoints").size() << " | " << joined << " |\n";
  }
  out << "\n";
}

// DNSBL listings and lookup errors; clean addresses are only counted.
void write_dnsbl(std::ostream& out, const json& results, const EndpointSource& source,
                 const std::vector<std::size_t>& order) {
  if (!results.contains("dnsbl_zones") || results["dnsbl_zones"].empty()) return;
  std::ostringstream rows;
  for_each_at(source, order, [&rows](const json& endpoint) {
    if (!endpoint.contains("dnsbl")) return;
    for (const auto& listing : endpoint.at("dnsbl")) {
      if (listing.at("status") == "not-listed") continue;
      std::string codes;
      for (const auto& code_text : listing.at("return_codes")) {
        codes += (codes.empty() ? "" : " ") + string_or_empty(code_text);
      }
      const json& why =
          listing.at("status") == "error" ? listing.at("error") : listing.at("reason");
      rows << "| " << code(string_or_empty(endpoint.at("endpoint"))) << " | "
           << code(string_or_empty(listing.at("zone"))) << " | "
           << plain(string_or_empty(listing.at("status"))) << " | " << code(codes) << " | "
           << plain(string_or_empty(why)) << " |\n";
    }
  });
  out << "### DNS blocklists\n\n";
  if (rows.str().empty()) {
    out << "No audited address is listed on " << results["dnsbl_zones"].size() << " zone(s).\n\n";
    return;
  }
  out << "| endpoint | zone | status | codes | reason |\n| --- | --- | --- | --- | --- |\n"
      << rows.str() << "\n";
}

void write_unresolved(std::ostream& out, const json& unresolved) {
  if (unresolved.empty()) return;
  out << "### Unresolved targets\n\n| target | origin | status | message |\n"
      << "| --- | --- | --- | --- |\n";
  for (const auto& problem : unresolved) {
    out << "| " << code(string_or_empty(problem.at("target"))) << " | "
        << plain(string_or_empty(problem.at("origin"))) << " | "
        << plain(string_or_empty(problem.at("status"))) << " | "
        << plain(string_or_empty(problem.at("message"))) << " |\n";
  }
  out << "\n";
}

}  // namespace

bool write_markdown(const json& results, const EndpointSource& source, const ChunkSink& sink) {
  std::ostringstream out;
  const std::string verdict = string_or_empty(results.at("summary").at("verdict"));
  out << "## relayaudit: " << title_for(verdict) << "\n\n";
  out << "Run verdict **" << plain(verdict) << "**. Scan from "
      << code(string_or_empty(results.at("started_at")), false) << " to "
      << code(string_or_empty(results.at("finished_at")), false) << " ("
      << duration_label(results.at("duration_ms").get<long long>()) << ") by relayaudit "
      << code(string_or_empty(results.at("tool").at("version")), false) << ", "
      << results.at("scripts").size() << " scripts.\n\n";
  if (results.at("complete") != true) {
    out << "> **Incomplete scan:** it was interrupted before every endpoint was audited; "
           "endpoints not listed were not audited.\n\n";
  }
  write_counts(out, results);

  // Capped tables: the summary stays small however many endpoints the scan had.
  const std::vector<std::size_t> order = worst_first(source);
  write_endpoint_table(out, source, order);

  std::vector<std::size_t> open;
  for (std::size_t position : order) {
    if (source.verdict(position) == "open-relay") open.push_back(position);
  }
  if (!open.empty()) {
    out << "### Open relays\n\n";
    const std::vector<std::size_t> detailed(
        open.begin(),
        open.begin() + static_cast<std::ptrdiff_t>(std::min(open.size(), kMaxOpenRelaysDetailed)));
    for_each_at(source, detailed,
                [&](const json& endpoint) { write_open_relay(out, results, endpoint); });
    if (open.size() > kMaxOpenRelaysDetailed) {
      out << "The evidence for the " << open.size() - kMaxOpenRelaysDetailed
          << " further open relays is in the results JSON, the JUnit and the SARIF reports.\n\n";
    }
  }
  write_domains(out, results);
  write_findings(out, source, order);
  write_dnsbl(out, results, source, order);
  write_unresolved(out, results.at("unresolved"));
  return sink(out.str());
}

std::string render_markdown(const json& results) {
  (void)results.at("endpoints");  // a document without endpoints is incomplete, not empty
  std::string out;
  write_markdown(results, DocumentEndpoints(results), [&out](std::string_view chunk) {
    out.append(chunk);
    return true;
  });
  return out;
}

}  // namespace relayaudit
