// JUnit XML rendering of a results document, built with pugixml.
#include "reports/junit_report.hpp"
#include "relaytests/script_library.hpp"
#include "reports/received_text.hpp"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <sstream>
#include <vector>

#include <pugixml.hpp>

#include "reports/document_view.hpp"
#include "reports/endpoint_source.hpp"
#include "reports/endpoint_title.hpp"
#include "reports/tls_label.hpp"
#include "reports/vantage_text.hpp"
#include "reports/vantage_verdicts.hpp"
#include "reports/xml_text.hpp"

namespace relayaudit {
namespace {

using nlohmann::json;

struct Counts {
  int tests = 0;
  int failures = 0;
  int errors = 0;
  int skipped = 0;
};

// The "time" attribute: seconds with three decimals, never negative.
std::string time_attribute(long long milliseconds) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3f", static_cast<double>(std::max(0LL, milliseconds)) / 1e3);
  return text;
}

// The Ant format's timestamp: "2024-05-01T12:00:00", UTC, no zone or fraction (its schema's
// pattern allows neither). `started_at` is the document's RFC 3339 time; `offset_ms` is added.
std::string ant_timestamp(const std::string& started_at, long long offset_ms) {
  std::tm parts{};
  int milliseconds = 0;
  if (std::sscanf(started_at.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d.%3dZ", &parts.tm_year, &parts.tm_mon,
                  &parts.tm_mday, &parts.tm_hour, &parts.tm_min, &parts.tm_sec,
                  &milliseconds) < 6) {
    return "1970-01-01T00:00:00";
  }
  parts.tm_year -= 1900;
  parts.tm_mon -= 1;
  const std::time_t at = ::timegm(&parts) + (milliseconds + std::max(0LL, offset_ms)) / 1000;
  std::tm utc{};
  ::gmtime_r(&at, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &utc);
  return text;
}

// "<endpoint title>.relay attempts": Jenkins splits a class name at its last dot into package
// and class, so the endpoint reads as the package and the script kind as the class; GitLab
// shows the whole, in words.
std::string class_name(const json& endpoint, const std::string& group) {
  return endpoint_title(endpoint) + "." + group;
}

// The class a script run belongs to, by its script's kind.
std::string script_group(const std::string& kind) {
  if (kind == "control") return "controls";
  if (kind == "probe") return "probes";
  return "relay attempts";
}

void set(pugi::xml_node node, const char* name, const std::string& value) {
  node.append_attribute(name).set_value(value.c_str());
}

void add_text(pugi::xml_node node, const std::string& text) {
  node.append_child(pugi::node_pcdata).set_value(text.c_str());
}

void add_property(pugi::xml_node properties, const char* name, const std::string& value) {
  pugi::xml_node property = properties.append_child("property");
  set(property, "name", name);
  set(property, "value", value);
}

long long test_milliseconds(const std::vector<const json*>& lines) {
  if (lines.empty()) return 0;
  return line_ms(*lines.back()) - line_ms(*lines.front());
}

// What a failure or error says in full: the envelope, the decisive reply, and the transcript.
std::string test_evidence(const json& results, const json& test,
                          const std::vector<const json*>& lines) {
  std::ostringstream body;
  body << visible_text_of(test.at("id")) << " ("
       << visible_text(script_fact(results, test, "severity")) << ", "
       << visible_text(script_fact(results, test, "kind"))
       << "): " << visible_text(script_fact(results, test, "title")) << "\n";
  body << "EHLO " << visible_text_of(test.at("ehlo")) << "\n";
  body << envelope_sent(test) << "\n";
  body << "outcome: " << visible_text_of(test.at("outcome")) << " at "
       << visible_text_of(test.at("stage")) << ", status " << visible_text_of(test.at("status"))
       << ", " << test.at("attempts").get<int>() << " attempt(s)\n";
  const std::string reply = reply_lines(test.at("reply"));
  body << "reply:" << (reply.find('\n') == std::string::npos ? " " : "\n") << reply << "\n";
  if (test.contains("detail")) body << "detail: " << visible_text_of(test.at("detail")) << "\n";
  if (test.contains("data_reply")) {
    body << "reply to DATA: " << reply_lines(test["data_reply"]) << "\n";
  }
  if (!lines.empty()) body << "\ntranscript:\n" << transcript_text(lines) << "\n";
  return body.str();
}

// What to fix, for a failing script of the library: the settings known to open its hole.
std::string hole_openers(const json& test) {
  const auto id = test.find("id");
  if (id == test.end() || !id->is_string()) return "";
  const RelayScript* script = find_builtin_script(received_bytes(id->get<std::string>()));
  if (script == nullptr || script->opened_by.empty()) return "";
  std::string out = "\nwhat opens this hole (close it):\n";
  for (const auto& setting : script->opened_by) out += "  - " + setting + "\n";
  return out;
}

std::string outcome_message(const json& test) {
  std::string message =
      visible_text_of(test.at("outcome")) + " at " + visible_text_of(test.at("stage"));
  const std::string command = decisive_command(test);
  if (!command.empty()) message += " (" + command + ")";
  return message + ": " + reply_summary(test.at("reply"));
}

// "not run: blocked at mail (MAIL FROM:<a>): 530 5.7.0 Must issue a STARTTLS command first", or
// for an error its status: "not run: error at rcpt, status protocol-error: no reply".
std::string not_run_message(const json& test) {
  std::string message = "not run: " + visible_text_of(test.at("outcome")) + " at " +
                        visible_text_of(test.at("stage"));
  if (test.at("outcome") == "error") message += ", status " + visible_text_of(test.at("status"));
  const std::string command = decisive_command(test);
  if (!command.empty()) message += " (" + command + ")";
  message += ": " + reply_summary(test.at("reply"));
  if (test.contains("detail")) message += "; " + visible_text_of(test.at("detail"));
  return message;
}

const json* finding_for(const json& endpoint, const json& test) {
  const auto findings = endpoint.find("findings");
  if (findings == endpoint.end()) return nullptr;
  for (const auto& finding : *findings) {
    if (finding.at("id") == test.at("id")) return &finding;
  }
  return nullptr;
}

void add_test_case(pugi::xml_node suite, const json& results, const json& endpoint,
                   const json& test, Counts& counts) {
  const std::vector<const json*> lines = test_lines(endpoint, test);
  pugi::xml_node test_case = suite.append_child("testcase");
  set(test_case, "name",
      visible_text_of(test.at("id")) + (ran_over_tls(test) ? " (over TLS)" : ""));
  const std::string kind = script_fact(results, test, "kind");
  set(test_case, "classname", class_name(endpoint, script_group(kind)));
  set(test_case, "time", time_attribute(test_milliseconds(lines)));
  ++counts.tests;
  const std::string verdict = test.at("verdict").get<std::string>();
  const std::string outcome = test.at("outcome").get<std::string>();
  if (endpoint.at("verdict") == "unreachable") {
    pugi::xml_node skipped = test_case.append_child("skipped");
    set(skipped, "message", "not run: the endpoint is unreachable (" + outcome_message(test) + ")");
    ++counts.skipped;
  } else if (verdict != "fail" && (outcome == "blocked" || outcome == "error")) {
    // Refused before RCPT TO, or cut off: the script never asked its question.
    pugi::xml_node skipped = test_case.append_child("skipped");
    set(skipped, "message", not_run_message(test));
    add_text(test_case.append_child("system-out"), test_evidence(results, test, lines));
    ++counts.skipped;
  } else if (verdict == "fail") {
    pugi::xml_node failure = test_case.append_child("failure");
    set(failure, "message",
        std::string(ran_over_tls(test) ? "open relay over TLS: " : "open relay: ") +
            envelope_sent(test) + " accepted: " + reply_summary(test.at("reply")));
    set(failure, "type", "open-relay");
    add_text(failure, test_evidence(results, test, lines) + hole_openers(test));
    ++counts.failures;
  } else if (verdict == "inconclusive" && kind != "probe") {
    pugi::xml_node error = test_case.append_child("error");
    set(error, "message", "inconclusive: " + outcome_message(test));
    set(error, "type", "inconclusive");
    add_text(error, test_evidence(results, test, lines));
    ++counts.errors;
  } else if (kind == "probe") {
    const json* finding = finding_for(endpoint, test);
    const std::string found = finding != nullptr ? visible_text_of(finding->at("message"))
                                                 : "probe " + visible_text_of(test.at("id")) +
                                                       ": " + outcome_message(test);
    add_text(test_case.append_child("system-out"),
             found + "\n\n" + test_evidence(results, test, lines));
  }
}

void add_endpoint_output(pugi::xml_node suite, const json& endpoint) {
  std::ostringstream out;
  out << endpoint_label(endpoint) << ": " << visible_text_of(endpoint.at("verdict")) << ": "
      << visible_text_of(endpoint.at("verdict_reason")) << "\n";
  if (endpoint.contains("evidence")) {
    out << "evidence: " << visible_text_of(endpoint["evidence"].at("strength")) << ": "
        << visible_text_of(endpoint["evidence"].at("detail")) << "\n";
  }
  out << "status " << visible_text_of(endpoint.at("status")) << " at "
      << visible_text_of(endpoint.at("stage"));
  if (endpoint.contains("error")) out << ": " << visible_text_of(endpoint.at("error"));
  out << "\nbanner: " << reply_lines(endpoint.at("banner")) << "\n";
  if (endpoint.at("ehlo").is_object()) {
    out << "EHLO reply:\n" << reply_lines(endpoint["ehlo"].at("reply")) << "\n";
  }
  if (endpoint.contains("findings")) {
    for (const auto& finding : endpoint["findings"]) {
      out << "finding " << visible_text_of(finding.at("id")) << " ("
          << visible_text_of(finding.at("severity"))
          << "): " << visible_text_of(finding.at("message")) << "\n";
    }
  }
  add_text(suite.append_child("system-out"), out.str());
  suite.append_child("system-err");
}

void set_counts(pugi::xml_node node, const Counts& counts, bool with_skipped) {
  node.attribute("tests").set_value(counts.tests);
  node.attribute("failures").set_value(counts.failures);
  node.attribute("errors").set_value(counts.errors);
  if (with_skipped) node.attribute("skipped").set_value(counts.skipped);
}

// Suites carry their counts as attributes ahead of their cases; they are filled in at the end.
pugi::xml_node open_suite(pugi::xml_node suites, int id, const std::string& name,
                          const std::string& host, const std::string& timestamp) {
  pugi::xml_node suite = suites.append_child("testsuite");
  set(suite, "name", name);
  for (const char* count : {"tests", "failures", "errors", "skipped"}) {
    suite.append_attribute(count);
  }
  suite.append_attribute("time");
  set(suite, "timestamp", timestamp);
  set(suite, "hostname", host);
  suite.append_attribute("id").set_value(id);
  set(suite, "package", "relayaudit");
  return suite;
}

// TLS facts are properties, never testcases: a TLS finding is no relay and fails nothing.
void add_tls_properties(pugi::xml_node properties, const json& endpoint) {
  const std::string label = tls_label(endpoint);
  if (!label.empty()) add_property(properties, "tls", visible_text(label));
  const auto tls = endpoint.find("tls");
  if (tls == endpoint.end() || !tls->is_object()) return;
  if (tls->contains("starttls_policy") && tls->at("starttls_policy").is_string()) {
    add_property(properties, "tls.starttls_policy", visible_text_of(tls->at("starttls_policy")));
  }
  if (tls->at("established") != true) return;
  add_property(properties, "tls.protocol", visible_text_of(tls->value("protocol", json())));
  add_property(properties, "tls.cipher", visible_text_of(tls->value("cipher", json())));
  const bool trusted = tls->contains("chain_trusted") && tls->at("chain_trusted") == true;
  add_property(properties, "tls.trusted", trusted ? "true" : "false");
}

// An inconclusive endpoint whose scripts were all skipped or passed must still not pass: this
// case carries the verdict, so no CI job reads "nothing failed" as "closed".
void add_inconclusive_case(pugi::xml_node suite, const json& endpoint, Counts& counts) {
  pugi::xml_node test_case = suite.append_child("testcase");
  set(test_case, "name", "proven closed");
  set(test_case, "classname", class_name(endpoint, "verdict"));
  set(test_case, "time", "0.000");
  pugi::xml_node error = test_case.append_child("error");
  set(error, "message", "inconclusive: " + visible_text_of(endpoint.at("verdict_reason")));
  set(error, "type", "inconclusive");
  ++counts.tests;
  ++counts.errors;
}

Counts add_endpoint_suite(pugi::xml_node suites, int id, const json& results,
                          const json& endpoint) {
  const long long started = endpoint.at("started_ms").get<long long>();
  const std::string host = endpoint.at("host_name").is_string()
                               ? visible_text_of(endpoint.at("host_name"))
                               : visible_text_of(endpoint.at("address"));
  pugi::xml_node suite =
      open_suite(suites, id, endpoint_title(endpoint), host.empty() ? "unknown" : host,
                 ant_timestamp(results.at("started_at").get<std::string>(), started));
  suite.attribute("time").set_value(
      time_attribute(endpoint.at("finished_ms").get<long long>() - started).c_str());

  pugi::xml_node properties = suite.append_child("properties");
  add_property(properties, "endpoint", visible_text_of(endpoint.at("endpoint")));
  add_property(properties, "address", visible_text_of(endpoint.at("address")));
  add_property(properties, "port", std::to_string(endpoint.at("port").get<int>()));
  add_property(properties, "vantage", visible_text(vantage_text(results)));
  if (endpoint.at("host_name").is_string()) {
    add_property(properties, "host_name", visible_text_of(endpoint.at("host_name")));
  }
  for (const auto& target : endpoint.value("targets", json::array())) {
    add_property(properties, "target", visible_text_of(target));
  }
  if (const std::string server = server_name(endpoint); !server.empty()) {
    add_property(properties, "server_name", server);
  }
  add_property(properties, "verdict", visible_text_of(endpoint.at("verdict")));
  add_property(properties, "verdict_reason", visible_text_of(endpoint.at("verdict_reason")));
  // merge --by-vantage: the suite shows the worst vantage; this names every one.
  if (const std::string per = vantage_verdicts_text(endpoint); !per.empty()) {
    add_property(properties, "verdict_by_vantage", visible_text(per));
  }
  add_property(properties, "banner", reply_summary(endpoint.at("banner")));
  add_tls_properties(properties, endpoint);

  Counts counts;
  if (endpoint.at("verdict") == "unreachable") {
    pugi::xml_node test_case = suite.append_child("testcase");
    set(test_case, "name", "connect");
    set(test_case, "classname", class_name(endpoint, "connection"));
    set(test_case, "time", "0.000");
    pugi::xml_node error = test_case.append_child("error");
    std::string message = "unreachable: " + visible_text_of(endpoint.at("verdict_reason"));
    if (endpoint.contains("error")) message += " (" + visible_text_of(endpoint.at("error")) + ")";
    set(error, "message", message);
    set(error, "type", "unreachable");
    add_text(error, "status " + visible_text_of(endpoint.at("status")) + " at " +
                        visible_text_of(endpoint.at("stage")) + "\n" +
                        transcript_text(endpoint_lines(endpoint)) + "\n");
    ++counts.tests;
    ++counts.errors;
  }
  for (const auto& test : endpoint.at("tests")) {
    add_test_case(suite, results, endpoint, test, counts);
  }
  if (endpoint.at("verdict") == "inconclusive" && counts.errors == 0 && counts.failures == 0) {
    add_inconclusive_case(suite, endpoint, counts);
  }
  add_endpoint_output(suite, endpoint);
  set_counts(suite, counts, true);
  return counts;
}

// A suite about the run as a whole rather than one endpoint: untimed, without properties.
pugi::xml_node open_run_suite(pugi::xml_node suites, int id, const std::string& name,
                              const std::string& host, const json& results) {
  pugi::xml_node suite = open_suite(suites, id, name, host,
                                    ant_timestamp(results.at("started_at").get<std::string>(), 0));
  suite.attribute("time").set_value("0.000");
  suite.append_child("properties");
  return suite;
}

pugi::xml_node add_run_case(pugi::xml_node suite, const std::string& name, const char* class_name,
                            Counts& counts) {
  pugi::xml_node test_case = suite.append_child("testcase");
  set(test_case, "name", name);
  set(test_case, "classname", class_name);
  set(test_case, "time", "0.000");
  ++counts.tests;
  return test_case;
}

Counts close_run_suite(pugi::xml_node suite, const Counts& counts) {
  suite.append_child("system-out");
  suite.append_child("system-err");
  set_counts(suite, counts, true);
  return counts;
}

Counts add_unresolved_suite(pugi::xml_node suites, int id, const json& results) {
  pugi::xml_node suite = open_run_suite(suites, id, "unresolved targets", "unresolved", results);
  Counts counts;
  for (const auto& problem : results.at("unresolved")) {
    pugi::xml_node test_case =
        add_run_case(suite, visible_text_of(problem.at("target")), "relayaudit.unresolved", counts);
    pugi::xml_node error = test_case.append_child("error");
    set(error, "message",
        visible_text_of(problem.at("status")) + ": " + visible_text_of(problem.at("message")) +
            " (" + visible_text_of(problem.at("origin")) + ")");
    set(error, "type", "unresolved");
    ++counts.errors;
  }
  return close_run_suite(suite, counts);
}

// One case per mail domain for its verdict, and one for "every MX accepts the domain's mail".
Counts add_domains_suite(pugi::xml_node suites, int id, const json& results) {
  pugi::xml_node suite = open_run_suite(suites, id, "mail domains", "domains", results);
  Counts counts;
  const auto add_case = [&](const std::string& name) {
    return add_run_case(suite, name, "relayaudit.domain", counts);
  };
  for (const auto& domain : results.at("domains")) {
    const std::string name = visible_text_of(domain.at("domain"));
    const std::string verdict = visible_text_of(domain.at("verdict"));
    std::string endpoints;
    for (const auto& key : domain.at("endpoints")) endpoints += " " + visible_text_of(key);
    pugi::xml_node relay = add_case(name + ": no MX relays");
    if (verdict == "open-relay") {
      pugi::xml_node failure = relay.append_child("failure");
      set(failure, "message", "an MX of " + name + " is an open relay");
      set(failure, "type", "open-relay");
      add_text(failure, "endpoints:" + endpoints + "\n");
      ++counts.failures;
    } else if (verdict == "no-mail") {
      set(relay.append_child("skipped"), "message", "null MX: the domain accepts no mail");
      ++counts.skipped;
    } else if (verdict != "closed") {
      pugi::xml_node error = relay.append_child("error");
      set(error, "message",
          verdict +
              (domain.at("error").is_string() ? ": " + visible_text_of(domain.at("error")) : ""));
      set(error, "type", verdict);
      add_text(error, "endpoints:" + endpoints + "\n");
      ++counts.errors;
    }
    if (domain.at("hosts").empty()) continue;
    pugi::xml_node consistent = add_case(name + ": every MX accepts the domain's mail");
    if (!domain.at("findings").empty()) {
      pugi::xml_node failure = consistent.append_child("failure");
      std::string detail;
      for (const auto& finding : domain.at("findings")) {
        detail += visible_text_of(finding.at("mx")) + " (" +
                  visible_text_of(finding.at("endpoint")) +
                  "): " + visible_text_of(finding.at("message")) + "\n";
      }
      set(failure, "message", "an MX of " + name + " refuses the domain's mail");
      set(failure, "type", "mx-refuses-domain-mail");
      add_text(failure, detail);
      ++counts.failures;
    }
  }
  return close_run_suite(suite, counts);
}

// Whether every endpoint was audited: an interrupted scan proved nothing about the endpoints it
// never reached, so its JUnit must fail even when every finished endpoint passed.
Counts add_scan_suite(pugi::xml_node suites, int id, const json& results, std::size_t finished) {
  pugi::xml_node suite = open_run_suite(suites, id, "scan", "run", results);
  const bool complete = results.at("complete").get<bool>();
  add_property(suite.child("properties"), "relayaudit.complete", complete ? "true" : "false");
  Counts counts;
  pugi::xml_node test_case = add_run_case(suite, "scan complete", "relayaudit.run", counts);
  if (!complete) {
    pugi::xml_node failure = test_case.append_child("failure");
    set(failure, "message",
        "the scan was interrupted: " + std::to_string(finished) +
            " endpoint(s) finished; endpoints not listed were not audited");
    set(failure, "type", "incomplete");
    add_text(failure,
             "The results are marked \"complete\": false. Run the scan again (--resume with its "
             "--jsonl stream finishes only the rest) before trusting the verdict.\n");
    ++counts.failures;
  }
  return close_run_suite(suite, counts);
}

// The XML before and after the suites: the declaration and <testsuites> with the run's totals.
std::pair<std::string, std::string> suites_frame(const json& results, const Counts& total) {
  pugi::xml_document document;
  pugi::xml_node declaration = document.append_child(pugi::node_declaration);
  set(declaration, "version", "1.0");
  set(declaration, "encoding", "UTF-8");
  pugi::xml_node suites = document.append_child("testsuites");
  set(suites, "name", "relayaudit " + visible_text_of(results.at("tool").at("version")));
  for (const char* count : {"tests", "failures", "errors"}) suites.append_attribute(count);
  set(suites, "time", time_attribute(results.at("duration_ms").get<long long>()));
  set_counts(suites, total, false);
  suites.append_child("placeholder");
  std::ostringstream out;
  document.save(out, "  ", pugi::format_indent, pugi::encoding_utf8);
  const std::string text = out.str();
  const std::string placeholder = "  <placeholder />\n";
  const auto at = text.find(placeholder);
  return {text.substr(0, at), text.substr(at + placeholder.size())};
}

// A suite as it reads inside <testsuites> (one level of indentation).
std::string suite_text(pugi::xml_node suite) {
  std::ostringstream out;
  suite.print(out, "  ", pugi::format_indent, pugi::encoding_utf8, 1);
  return out.str();
}

void add(Counts& total, const Counts& counts) {
  total.tests += counts.tests;
  total.failures += counts.failures;
  total.errors += counts.errors;
}

}  // namespace

bool write_junit(const json& results, const EndpointSource& endpoints, const ChunkSink& sink) {
  // Worst verdict first, as in every other report; scan order within a verdict.
  const std::vector<std::size_t> order = worst_first(endpoints);
  // The totals come first in the XML: a first pass counts every endpoint's cases.
  Counts total;
  for (std::size_t position : order) {
    endpoints.visit(position, [&](const json& endpoint) {
      pugi::xml_document scratch;
      add(total, add_endpoint_suite(scratch.append_child("testsuites"), 0, results, endpoint));
    });
  }
  pugi::xml_document run_suites;
  pugi::xml_node suites = run_suites.append_child("testsuites");
  int id = static_cast<int>(order.size());
  if (results.contains("domains") && !results.at("domains").empty()) {
    add(total, add_domains_suite(suites, id++, results));
  }
  if (!results.at("unresolved").empty()) add(total, add_unresolved_suite(suites, id++, results));
  add(total, add_scan_suite(suites, id++, results, endpoints.size()));

  const auto [head, tail] = suites_frame(results, total);
  if (!sink(head)) return false;
  id = 0;
  bool written = true;
  for (std::size_t position : order) {
    endpoints.visit(position, [&](const json& endpoint) {
      pugi::xml_document one;
      pugi::xml_node holder = one.append_child("testsuites");
      add_endpoint_suite(holder, id, results, endpoint);
      written = written && sink(suite_text(holder.first_child()));
    });
    ++id;
    if (!written) return false;
  }
  for (pugi::xml_node suite : suites.children()) {
    if (!sink(suite_text(suite))) return false;
  }
  return sink(tail);
}

std::string render_junit(const json& results) {
  (void)results.at("endpoints");  // a document without endpoints is incomplete, not empty
  std::string out;
  write_junit(results, DocumentEndpoints(results), [&out](std::string_view chunk) {
    out.append(chunk);
    return true;
  });
  return out;
}

}  // namespace relayaudit
