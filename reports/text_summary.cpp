// Terminal rendering of a ScanResult: counts, one line per endpoint, the evidence that matters.
#include "reports/text_summary.hpp"
#include "reports/summary.hpp"

#include <algorithm>
#include <sstream>
#include <utility>
#include <vector>

#include "relaytests/script_library.hpp"
#include "reports/domain_results.hpp"
#include "reports/safe_text.hpp"
#include "reports/tls_json.hpp"
#include "reports/tls_label.hpp"
#include "results/tls_finding_catalog.hpp"

namespace relayaudit {
namespace {

// Test ids named on one line of the summary; more would bury the evidence in names.
constexpr std::size_t kMaxIdsNamed = 3;

std::string_view ansi_color(EndpointVerdict verdict) {
  switch (verdict) {
    case EndpointVerdict::open_relay:
      return "\x1b[1;31m";
    case EndpointVerdict::closed:
      return "\x1b[32m";
    case EndpointVerdict::inconclusive:
      return "\x1b[33m";
    case EndpointVerdict::unreachable:
      return "\x1b[90m";
  }
  return "";
}

// Spaces that widen a verdict name to the verdict column.
std::string column_padding(std::string_view name) {
  constexpr std::size_t kVerdictColumn = 12;
  return std::string(name.size() < kVerdictColumn ? kVerdictColumn - name.size() : 0, ' ');
}

// Padded outside the color codes so columns line up with and without color.
std::string verdict_label(EndpointVerdict verdict, bool color, bool pad = true) {
  const std::string_view name = to_string(verdict);
  const std::string padding = pad ? column_padding(name) : std::string();
  if (!color) return std::string(name) + padding;
  return std::string(ansi_color(verdict)) + std::string(name) + "\x1b[0m" + padding;
}

std::string plural(int count, std::string_view noun) {
  std::string text = std::to_string(count) + " " + std::string(noun);
  if (count != 1) text += "s";
  return text;
}

// "250 2.1.5 Ok" from the first line; a hostile reply cannot smuggle control bytes through.
std::string reply_summary(const std::optional<Reply>& reply) {
  if (!reply) return "no reply";
  std::string text = std::to_string(reply->code);
  if (!reply->lines.empty()) {
    const std::string first = reply->line_text(0);
    if (!first.empty()) text += " " + terminal_safe(first);
    if (reply->lines.size() > 1)
      text += " (+" + plural(static_cast<int>(reply->lines.size() - 1), "line") + ")";
  }
  return text;
}

std::string command_sent(const TestResult& test) {
  if (test.stage == Stage::mail || test.rcpt_to.empty()) {
    return "MAIL FROM:<" + terminal_safe(test.mail_from) + ">";
  }
  return "RCPT TO:<" + terminal_safe(test.rcpt_to.back()) + ">";
}

// The terminal shows the first few; results.json holds every one.
constexpr int kFailedTestsShown = 6;

void print_failed_tests(std::ostream& out, const EndpointResult& endpoint) {
  int shown = 0;
  int hidden = 0;
  // Plain external recipients first: they are the strongest evidence.
  std::vector<const TestResult*> failed;
  for (const auto& test : endpoint.tests) {
    if (test.verdict == TestVerdict::fail) failed.push_back(&test);
  }
  // The baseline (a stranger to a stranger) first, then plain recipients, then address forms.
  const auto strength = [](const TestResult* test) {
    if (test->trick == ScriptTrick::baseline) return 0;
    return std::find(test->tags.begin(), test->tags.end(), "address-form") == test->tags.end() ? 1
                                                                                               : 2;
  };
  std::stable_sort(failed.begin(), failed.end(), [&](const TestResult* a, const TestResult* b) {
    return strength(a) < strength(b);
  });
  for (const TestResult* failed_test : failed) {
    const TestResult& test = *failed_test;
    if (shown == kFailedTestsShown) {
      ++hidden;
      continue;
    }
    ++shown;
    out << "  " << terminal_safe(test.id) << ": " << command_sent(test) << " -> "
        << reply_summary(test.reply) << "\n";
    // What to fix: the setting known to open this hole (`relayaudit tests show` lists all).
    if (const RelayScript* script = find_builtin_script(test.id);
        script != nullptr && !script->opened_by.empty()) {
      out << "    opened by, e.g.: " << terminal_safe(script->opened_by.front()) << "\n";
    }
  }
  if (hidden > 0) out << "  ... and " << hidden << " more accepted relay attempts\n";
  if (endpoint.evidence) {
    out << "  evidence: " << terminal_safe(endpoint.evidence->strength) << " ("
        << terminal_safe(endpoint.evidence->detail) << ")\n";
  }
}

void print_findings_and_listings(std::ostream& out, const EndpointResult& endpoint) {
  for (const auto& finding : endpoint.findings) {
    // A TLS finding's message names facts; its id says what they mean.
    if (is_tls_finding(finding.id)) {
      out << "  finding " << finding.id << " (" << terminal_safe(finding.severity)
          << "): " << terminal_safe(finding.message) << "\n";
    } else {
      out << "  finding: " << terminal_safe(finding.message) << "\n";
    }
  }
  for (const auto& listing : endpoint.dnsbl) {
    if (listing.status == DnsblStatus::not_listed) continue;
    out << "  dnsbl " << terminal_safe(listing.zone) << ": " << to_string(listing.status);
    for (const auto& code : listing.return_codes) out << " " << terminal_safe(code);
    if (!listing.reason.empty()) out << " (" << terminal_safe(listing.reason) << ")";
    if (!listing.error.empty()) out << " (" << terminal_safe(listing.error) << ")";
    out << "\n";
  }
}

// "closed        example.test  2 MX hosts, 3 endpoints" and the domain's findings.
void print_domains(std::ostream& out, const ScanResult& result,
                   const std::vector<EndpointDigest>& endpoints, bool color) {
  const nlohmann::json domains = domains_json(result, endpoints);
  for (const auto& domain : domains) {
    const std::string verdict = domain.value("verdict", std::string());
    const auto endpoint_verdict = endpoint_verdict_from_string(verdict);
    const std::string label = endpoint_verdict ? verdict_label(*endpoint_verdict, color)
                                               : verdict + column_padding(verdict);
    out << label << "  domain " << terminal_safe(domain.value("domain", std::string())) << "  ";
    if (domain.value("null_mx", false)) {
      out << "null MX: accepts no mail";
    } else if (domain["hosts"].empty()) {
      out << terminal_safe(domain["error"].is_string() ? domain["error"].get<std::string>() : "");
    } else {
      out << plural(static_cast<int>(domain["hosts"].size()), "MX host") << ", "
          << plural(static_cast<int>(domain["endpoints"].size()), "endpoint");
      if (domain.value("implicit_mx", false)) out << " (no MX: its own address)";
    }
    out << "\n";
    for (const auto& finding : domain["findings"]) {
      out << "  " << (finding.value("backup_mx", false) ? "backup MX " : "MX ")
          << terminal_safe(finding.value("mx", std::string())) << " ("
          << terminal_safe(finding.value("endpoint", std::string()))
          << ") refuses the domain's mail\n";
    }
  }
}

// "blocked at mail -> 530 5.7.0 Must issue a STARTTLS command first"
std::string unsettled_summary(const TestResult& test) {
  std::string text =
      std::string(to_string(test.outcome)) + " at " + std::string(to_string(test.stage));
  if (test.status != Status::ok) text += " (" + std::string(to_string(test.status)) + ")";
  if (test.reply) text += " -> " + reply_summary(test.reply);
  return text;
}

// A server that refuses us usually refuses every test the same way: one line per distinct
// answer, naming the tests, keeps the summary readable for a plan of dozens of scripts.
void print_unsettled_tests(std::ostream& out, const EndpointResult& endpoint) {
  std::vector<std::pair<std::string, std::vector<std::string>>> groups;
  for (const auto& test : endpoint.tests) {
    if (test.verdict != TestVerdict::inconclusive) continue;
    std::string summary = unsettled_summary(test);
    auto group = std::find_if(groups.begin(), groups.end(),
                              [&](const auto& entry) { return entry.first == summary; });
    if (group == groups.end()) group = groups.insert(groups.end(), {std::move(summary), {}});
    group->second.push_back(terminal_safe(test.id));
  }
  for (const auto& [summary, ids] : groups) {
    out << "  ";
    for (std::size_t i = 0; i < ids.size() && i < kMaxIdsNamed; ++i)
      out << (i ? ", " : "") << ids[i];
    if (ids.size() > kMaxIdsNamed) out << " +" << ids.size() - kMaxIdsNamed << " more";
    out << ": " << summary << "\n";
  }
}

void print_stop_reason(std::ostream& out, const EndpointResult& endpoint) {
  // A clean end says nothing the test lines do not; an error or a refusal is the story.
  if (endpoint.status != Status::ok || !endpoint.error.empty() || endpoint.tests.empty()) {
    out << "  status " << to_string(endpoint.status) << " at " << to_string(endpoint.stage);
    if (!endpoint.error.empty()) out << ": " << terminal_safe(endpoint.error);
    out << "\n";
  }
  print_unsettled_tests(out, endpoint);
}

// The TLS column, from the same facts (and the same words) as the results document's reports.
std::string tls_cell(const EndpointResult& endpoint) {
  nlohmann::json facts = {{"tls", tls_json(endpoint)},
                          {"ehlo", endpoint.greeting ? nlohmann::json::object() : nullptr},
                          {"findings", nlohmann::json::array()}};
  for (const auto& finding : endpoint.findings) facts["findings"].push_back({{"id", finding.id}});
  return terminal_safe(tls_label(facts));
}

void print_endpoint(std::ostream& out, const EndpointResult& endpoint, bool color) {
  out << verdict_label(endpoint.verdict, color) << "  " << terminal_safe(endpoint.endpoint.key());
  if (!endpoint.endpoint.host_name.empty()) {
    out << "  " << terminal_safe(endpoint.endpoint.host_name);
  }
  // Which gateway this is: the targets as written (when more than its address) and the name
  // the server gives itself.
  std::string written;
  for (const auto& target : endpoint.endpoint.targets) {
    if (target == endpoint.endpoint.key() || target == endpoint.endpoint.address ||
        target == endpoint.endpoint.host_name) {
      continue;
    }
    written += (written.empty() ? "" : ", ") + target;
  }
  if (!written.empty()) out << "  target " << terminal_safe(written);
  if (endpoint.greeting && !endpoint.greeting->server_domain.empty() &&
      endpoint.greeting->server_domain != endpoint.endpoint.host_name) {
    out << "  server " << terminal_safe(endpoint.greeting->server_domain);
  }
  if (const std::string tls = tls_cell(endpoint); !tls.empty()) out << "  TLS " << tls;
  if (!endpoint.verdict_reason.empty()) out << "  " << terminal_safe(endpoint.verdict_reason);
  out << "\n";
  switch (endpoint.verdict) {
    case EndpointVerdict::open_relay:
      print_failed_tests(out, endpoint);
      break;
    case EndpointVerdict::inconclusive:
    case EndpointVerdict::unreachable:
      print_stop_reason(out, endpoint);
      break;
    case EndpointVerdict::closed:
      break;
  }
  print_findings_and_listings(out, endpoint);
}

}  // namespace

void print_text_summary(std::ostream& out, const ScanResult& result,
                        const std::vector<EndpointDigest>& endpoints, bool color) {
  const ScanSummary summary = summarize(result, endpoints);
  out << plural(summary.endpoints, "endpoint") << ": " << summary.open_relay << " open-relay, "
      << summary.closed << " closed, " << summary.inconclusive << " inconclusive, "
      << summary.unreachable << " unreachable";
  if (summary.unresolved > 0) out << "; " << plural(summary.unresolved, "target") << " unresolved";
  if (summary.dnsbl_listed > 0) out << "; " << summary.dnsbl_listed << " listed on a DNSBL";
  if (!result.complete) out << " (scan incomplete)";
  out << "\n";

  // Worst first, scan order kept within a verdict, so the open relays are what the eye meets.
  std::vector<const EndpointDigest*> order;
  order.reserve(endpoints.size());
  for (const auto& endpoint : endpoints) {
    if (!endpoint.summary_text.empty()) order.push_back(&endpoint);
  }
  std::stable_sort(order.begin(), order.end(), [](const auto* a, const auto* b) {
    return severity_rank(a->verdict) > severity_rank(b->verdict);
  });
  for (const auto* endpoint : order) out << endpoint->summary_text;

  for (const auto& problem : result.unresolved) {
    out << verdict_label(EndpointVerdict::unreachable, color) << "  "
        << terminal_safe(problem.target) << "  (" << terminal_safe(problem.origin) << ") "
        << to_string(problem.status);
    if (!problem.message.empty()) out << ": " << terminal_safe(problem.message);
    out << "\n";
  }
  print_domains(out, result, endpoints, color);
  out << "run verdict: " << verdict_label(summary.verdict, color, false) << "\n";
}

void print_text_summary(std::ostream& out, const ScanResult& result, bool color) {
  std::vector<EndpointDigest> endpoints = digests_of(result);
  // The resumed endpoints come first in the digests; this run's follow in order.
  const std::size_t resumed = result.resumed_endpoints.size();
  for (std::size_t i = 0; i < result.endpoints.size(); ++i) {
    endpoints[resumed + i].summary_text = endpoint_summary_text(result.endpoints[i], color);
  }
  print_text_summary(out, result, endpoints, color);
}

std::string endpoint_summary_text(const EndpointResult& endpoint, bool color) {
  std::ostringstream out;
  print_endpoint(out, endpoint, color);
  return out.str();
}

std::string progress_line(int done, int total, int open) {
  return progress_line(ScanProgress{done, total, open});
}

namespace {

// "8 s", "3 min 20 s", "2 h 5 min": a person's reading of a duration.
std::string rough_duration(std::int64_t ms) {
  const std::int64_t seconds = (std::max<std::int64_t>(ms, 0) + 500) / 1000;
  if (seconds < 60) return std::to_string(seconds) + " s";
  if (seconds < 3600) {
    return std::to_string(seconds / 60) + " min" +
           (seconds % 60 ? " " + std::to_string(seconds % 60) + " s" : "");
  }
  return std::to_string(seconds / 3600) + " h" +
         (seconds % 3600 / 60 ? " " + std::to_string(seconds % 3600 / 60) + " min" : "");
}

}  // namespace

std::string progress_line(const ScanProgress& progress) {
  const int percent =
      progress.total > 0 ? static_cast<int>(100LL * progress.done / progress.total) : 100;
  std::string line = std::to_string(progress.done) + "/" + std::to_string(progress.total) +
                     " endpoints audited (" + std::to_string(percent) + "%), " +
                     plural(progress.open, "open relay");
  if (progress.elapsed_ms >= 0) {
    line += ", " + rough_duration(progress.elapsed_ms) + " elapsed";
    if (progress.done > 0 && progress.done < progress.total) {
      const std::int64_t left =
          progress.elapsed_ms * (progress.total - progress.done) / progress.done;
      line += ", about " + rough_duration(left) + " left";
    }
  }
  if (progress.waiting_for_greylisting > 0) {
    line += "; " + plural(progress.waiting_for_greylisting, "endpoint") + " waiting " +
            rough_duration(progress.longest_wait_ms) + " for greylisting";
  }
  return line;
}

}  // namespace relayaudit
