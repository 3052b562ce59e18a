// The HTML report: self-contained, hostile text inert, telnet transcripts, sections on demand.
#include "reports/html_report.hpp"
#include "support/text_search.hpp"

#include <gtest/gtest.h>

#include "reports/html_text.hpp"
#include "reports/results_json.hpp"
#include "reports/safe_text.hpp"
#include "reports/svg_chart.hpp"
#include "support/process.hpp"
#include "support/sample_scan.hpp"
#include "support/temp_dir.hpp"

namespace relayaudit {
namespace {

using nlohmann::json;
using testing::contains;
using testing::count_of;

// [t_ms, session, dir, line], as results 2.0 writes a transcript line.
json transcript_line(const char* dir, const std::string& line, int session = 1) {
  return json::array({1, session, dir, line});
}

// A minimal document around one endpoint with the given transcript.
json document_with(json endpoint_fields) {
  json endpoint = {{"endpoint", "192.0.2.9:25"},
                   {"address", "192.0.2.9"},
                   {"port", 25},
                   {"verdict", "closed"},
                   {"tests", json::array()}};
  endpoint.update(endpoint_fields);
  return {{"summary", {{"endpoints", 1}, {"closed", 1}, {"verdict", "closed"}}},
          {"endpoints", json::array({endpoint})}};
}

TEST(HtmlText, EscapesMarkupQuotesAndControlsVisibly) {
  EXPECT_EQ(escape_html("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
  EXPECT_EQ(escape_html("bell\x07tab\tesc\x1b[31m"), "bell\\x07tab\\x09esc\\x1b[31m");
  EXPECT_EQ(escape_html("a\xff\xfe"
                        "b"),
            "a\\xff\\xfeb");  // not UTF-8
  EXPECT_EQ(escape_html("\xe2\x80\xae"
                        "evil"),
            "\\u202eevil");                                                        // bidi override
  EXPECT_EQ(escape_html("\xc2\x85"), "\\u0085");                                   // C1 control
  EXPECT_EQ(escape_html("caf\xc3\xa9 \xe2\x9c\x93"), "caf\xc3\xa9 \xe2\x9c\x93");  // kept
  EXPECT_EQ(html_text("a\x01"), "a<span class=\"esc\">\\x01</span>");
}

TEST(SvgChart, BarsScaleToTheLargestCountAndLabelsAreEscaped) {
  const std::string svg = svg_bar_chart(
      {{"open <relay>", 2, "#b91c1c"}, {"closed", 4, "#15803d"}, {"none", 0, "#4b5563"}},
      "Endpoints & verdicts");
  EXPECT_TRUE(contains(svg, "<title id=\"chart-title\">Endpoints &amp; verdicts</title>"));
  EXPECT_TRUE(contains(svg, "open &lt;relay&gt;"));
  EXPECT_TRUE(contains(svg, "width=\"150\" height=\"20\" fill=\"#b91c1c\""));  // 2/4 of 300
  EXPECT_TRUE(contains(svg, "width=\"300\" height=\"20\" fill=\"#15803d\""));
  EXPECT_FALSE(contains(svg, "fill=\"#4b5563\""));  // zero draws no bar, only its count
  EXPECT_TRUE(contains(svg, ">0</text>"));
}

TEST(HtmlReport, IsSelfContainedAndForbidsScripts) {
  const std::string html = render_html(results_to_json(testing::make_sample_scan()));
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_TRUE(contains(html, "Content-Security-Policy\" content=\"default-src 'none'"));
  for (const char* external :
       {"<script", "<link", "<img", "<iframe", "src=", "url(", "@import", "https://", "//fonts"}) {
    EXPECT_FALSE(contains(html, external)) << external;
  }
  // The only URL is the SVG namespace, which is a name, not a fetch.
  EXPECT_EQ(count_of(html, "http://"), count_of(html, "http://www.w3.org/2000/svg"));
  bool changed = true;
  escape_invalid_utf8(html, &changed);
  EXPECT_FALSE(changed) << "the report must be valid UTF-8";
}

TEST(HtmlReport, SampleScanShowsCountsRowsAndEscapes) {
  const std::string html = render_html(results_to_json(testing::make_sample_scan()));
  EXPECT_TRUE(contains(html, "id=\"count-endpoints\">4<"));
  EXPECT_TRUE(contains(html, "id=\"count-open_relay\">1<"));
  EXPECT_TRUE(contains(html, "id=\"count-unresolved\">1<"));
  EXPECT_EQ(count_of(html, "<tr class=\"endpoint-row\">"), 4u);
  EXPECT_EQ(count_of(html, "<section class=\"endpoint\""), 4u);
  // Worst first: the open relay, last in the document, leads the table.
  EXPECT_LT(html.find("<code>192.0.2.1:25</code>"), html.find("<code>192.0.2.2:25</code>"));
  EXPECT_TRUE(contains(html, "nxdomain.example"));
  // Invalid bytes (\xNN in the document) and ESC are each marked as an escape, never raw; the
  // server's own backslash is doubled once.
  EXPECT_TRUE(contains(html,
                       "ESMTP <span class=\"esc\">\\xff</span><span class=\"esc\">\\xfe</span>"
                       "<span class=\"esc\">\\x1b</span>[31mowned\\\\here"));
  EXPECT_FALSE(contains(html, "\x1b"));
  // Options keys and values from the document are text, including the escaped ones.
  EXPECT_TRUE(contains(html, "ehlo_name"));
  EXPECT_TRUE(contains(html, "not recorded"));  // who ran it, from where, script hashes
  EXPECT_TRUE(contains(html, "the server accepted a recipient in a foreign domain"));
}

TEST(HtmlReport, HostileMarkupRendersAsText) {
  const std::string hostile = "<script>alert(1)</script>\"><img src=x onerror=alert(2)>'";
  json document = document_with(
      {{"verdict", "open-relay"},
       {"verdict_reason", hostile},
       {"host_name", hostile},
       {"banner", {{"code", 220}, {"lines", {"220 " + hostile}}}},
       {"transcript", {transcript_line("S", "220 " + hostile)}},
       {"tests", {{{"id", hostile}, {"verdict", hostile}, {"lines", json::array()}}}}});
  document["options"] = {{hostile, hostile}};
  document["scripts"] = {{hostile, {{"title", hostile}, {"kind", hostile}}}};
  document["summary"]["verdict"] = hostile;
  const std::string html = render_html(document);
  EXPECT_FALSE(contains(html, "<script")) << html;
  EXPECT_FALSE(contains(html, "<img"));
  EXPECT_TRUE(contains(html,
                       "&lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;&lt;img src=x "
                       "onerror=alert(2)&gt;&#39;"));
  EXPECT_TRUE(contains(html, "badge v-unknown"));  // an unknown verdict gets no class of its own
}

TEST(HtmlReport, PipelinedTranscriptReadsAsATelnetSession) {
  const json document = document_with(
      {{"transcript",
        {transcript_line("*", "connected"), transcript_line("S", "220 mx ESMTP"),
         transcript_line("C", "EHLO audit.invalid"), transcript_line("S", "250-mx"),
         transcript_line("S", "250 PIPELINING"), transcript_line("C", "MAIL FROM:<a@x.example>"),
         transcript_line("C", "RCPT TO:<b@y.example>"), transcript_line("C", "RSET"),
         transcript_line("S", "250 2.1.0 Ok"), transcript_line("S", "554 5.7.1 Relay denied"),
         transcript_line("S", "250 2.0.0 Ok"), transcript_line("C", "QUIT"),
         transcript_line("*", "connecting again", 2), transcript_line("S", "421 busy", 2)}}});
  const std::string html = render_html(document);
  EXPECT_TRUE(contains(html, "Session 1: <code>$ telnet 192.0.2.9 25</code>"));
  EXPECT_TRUE(contains(html, "(sent pipelined; replies paired in order)"));
  EXPECT_TRUE(contains(html,
                       "<i>* connected</i>\n"
                       "S: 220 mx ESMTP\n"
                       "<b>C: EHLO audit.invalid</b>\n"
                       "S: 250-mx\n"
                       "S: 250 PIPELINING\n"
                       "<b>C: MAIL FROM:&lt;a@x.example&gt;</b>\n"
                       "S: 250 2.1.0 Ok\n"
                       "<b>C: RCPT TO:&lt;b@y.example&gt;</b>\n"
                       "S: 554 5.7.1 Relay denied\n"
                       "<b>C: RSET</b>\n"
                       "S: 250 2.0.0 Ok\n"
                       "<b>C: QUIT</b> <i>(no reply)</i>\n"))
      << html;
  EXPECT_TRUE(contains(html,
                       "Session 2: <code>$ telnet 192.0.2.9 25</code></div><pre "
                       "class=\"transcript\"><i>* connecting again</i>\nS: 421 busy\n"));
}

TEST(HtmlReport, FailedRelayAttemptGetsAProofLinkedFromItsRow) {
  // The test names three lines of the endpoint transcript: its excerpt is those lines only.
  json test = {{"id", "relay-external-sender"},
               {"verdict", "fail"},
               {"outcome", "accepted"},
               {"lines", json::parse("[[1, 3]]")}};
  const json transcript = {transcript_line("S", "220 mx"),
                           transcript_line("C", "RCPT TO:<b@y.example>"),
                           transcript_line("C", "RSET"), transcript_line("S", "250 2.1.5 Ok"),
                           transcript_line("S", "250 2.0.0 Ok")};
  const std::string html = render_html(
      document_with({{"verdict", "open-relay"}, {"tests", {test}}, {"transcript", transcript}}));
  EXPECT_TRUE(contains(html, "<a href=\"#ep-1-proof-1\"><span class=\"badge v-open\">fail"));
  EXPECT_TRUE(contains(html, "<h3 id=\"ep-1-proof-1\">Proof: <code>relay-external-sender"));
  EXPECT_TRUE(contains(html, "<b>C: RSET</b> <i>(reply not in this excerpt)</i>"));
  EXPECT_TRUE(contains(html, "<pre class=\"transcript\"><b>C: RCPT TO:&lt;b@y.example&gt;</b>"))
      << "the excerpt starts at the test's first line";
}

TEST(HtmlReport, MxMapOnlyWhenTheDocumentHasDomains) {
  json document = results_to_json(testing::make_sample_scan());
  EXPECT_FALSE(contains(render_html(document), "id=\"mx-map\""));
  document["domains"] = {{{"domain", "example.com"},
                          {"null_mx", false},
                          {"implicit_mx", false},
                          {"error", nullptr},
                          {"hosts",
                           {{{"preference", 10},
                             {"name", "mx1.example.com"},
                             {"ttl", 300},
                             {"error", nullptr},
                             {"addresses", {{{"address", "192.0.2.1"}, {"ttl", 60}}}}}}}}};
  const std::string html = render_html(document);
  ASSERT_TRUE(contains(html, "id=\"mx-map\""));
  EXPECT_TRUE(contains(html, "<h3>example.com</h3>"));
  // The address links to the endpoint audited there, with its verdict.
  EXPECT_TRUE(contains(html,
                       "<code>192.0.2.1</code></td><td><a href=\"#ep-4\">192.0.2.1:25</a> "
                       "<span class=\"badge v-open\">"));
}

TEST(HtmlReport, ScriptHashesShownWhenRecorded) {
  json document = results_to_json(testing::make_sample_scan());
  EXPECT_TRUE(contains(render_html(document), "records no hash"));
  document["scripts"]["relay-external-sender"]["sha256"] = "ab12";
  const std::string html = render_html(document);
  EXPECT_TRUE(contains(html, "<code>ab12</code>"));
  EXPECT_FALSE(contains(html, "records no hash"));
}

TEST(HtmlReport, RunMetadataAndScriptSourcesAreShown) {
  const RunProvenance run = testing::make_sample_run();
  const std::string html = render_html(results_to_json(testing::make_sample_scan(), &run));
  EXPECT_TRUE(contains(html, "<th>Run by</th><td>audit ops (uid 1000)</td>"));
  EXPECT_TRUE(contains(html, "<th>Run from</th><td>scanner-01.example.com</td>"));
  EXPECT_TRUE(
      contains(html,
               "<th>Working directory</th><td>/home/audit/<span class=\"esc\">\\xff</span><span "
               "class=\"esc\">\\xfe</span></td>"));
  // Copy-pasteable: the argument with a quote and a space is quoted as a shell would need,
  // without a backslash (the display would double it).
  EXPECT_TRUE(contains(html,
                       "<code>relayaudit scan -f fleet.txt --ehlo-name "
                       "&#39;it&#39;&quot;&#39;&quot;&#39;s <span class=\"esc\">\\xff</span><span "
                       "class=\"esc\">\\xfe</span>&#39;</code>"));
  EXPECT_TRUE(
      contains(html, "<td>/etc/relayaudit/scripts/relay-external-sender.json</td><td><code>" +
                         std::string(64, 'b') + "</code>"));
  EXPECT_TRUE(contains(html, "<td>builtin:core/control-postmaster.json</td>"));
  EXPECT_FALSE(contains(html, "records the script ids only"));
}

TEST(HtmlReport, IncompleteOrSparseDocumentsStillRender) {
  json document = results_to_json(testing::make_sample_scan());
  document["complete"] = false;
  EXPECT_TRUE(contains(render_html(document), "Incomplete scan."));
  for (const json& odd : {json::object(), json::array(), json(nullptr),
                          json{{"endpoints", {1, "x", json::object()}}, {"summary", "x"}}}) {
    std::string html;
    EXPECT_NO_THROW(html = render_html(odd)) << odd.dump();
    EXPECT_TRUE(contains(html, "</html>"));
  }
}

TEST(HtmlReport, WritesTheFileAtomically) {
  testing::TempDir dir;
  const auto path = dir.path() / "report.html";
  const json document = results_to_json(testing::make_sample_scan());
  ASSERT_EQ(write_html_report(path, document), std::nullopt);
  EXPECT_EQ(testing::read_file(path.string()), render_html(document));
  const auto error = write_html_report(dir.path() / "missing" / "report.html", document);
  ASSERT_TRUE(error.has_value());
  EXPECT_TRUE(contains(*error, "missing")) << *error;
}

}  // namespace
}  // namespace relayaudit

namespace relayaudit {
namespace {

// At fleet size (more than 20 endpoints) the report stays readable: a closed endpoint shows its
// passing scripts on one row and no whole transcript; an inconclusive one keeps its transcript.
TEST(HtmlReport, AtFleetSizePassingScriptsShareARowAndClosedTranscriptsStayInTheResults) {
  const json passing = {{"id", "relay-external-sender"},
                        {"verdict", "pass"},
                        {"outcome", "rejected"},
                        {"attempts", 1},
                        {"reply", nullptr},
                        {"lines", json::array()}};
  json document = document_with({{"tests", json::array({passing})},
                                 {"transcript", {transcript_line("S", "220 fleet-closed")}}});
  json unsure = document["endpoints"][0];
  unsure["endpoint"] = "192.0.2.10:25";
  unsure["verdict"] = "inconclusive";
  unsure["transcript"] = {transcript_line("S", "220 fleet-unsure")};
  document["endpoints"].push_back(unsure);
  document["summary"]["endpoints"] = 21;
  const std::string html = render_html(document);
  EXPECT_TRUE(contains(html,
                       "1 passed (each answered as expected; details in results.json): "
                       "relay-external-sender"))
      << html;
  EXPECT_FALSE(contains(html, "220 fleet-closed"));
  EXPECT_TRUE(contains(html, "every line is in results.json (endpoint <code>192.0.2.9:25</code>)"));
  EXPECT_TRUE(contains(html, "220 fleet-unsure")) << "an inconclusive endpoint keeps its lines";

  document["summary"]["endpoints"] = 2;  // a small scan shows everything
  const std::string small = render_html(document);
  EXPECT_TRUE(contains(small, "220 fleet-closed"));
  EXPECT_FALSE(contains(small, "passed (each answered as expected"));
}

}  // namespace
}  // namespace relayaudit

namespace relayaudit {
namespace {

// The report opens with what an auditor reads first: scope, vantage, verdict, and each open
// gateway with the setting that opens it, before the evidence.
TEST(HtmlReport, OpensWithAnExecutiveSummaryNamingEachOpenGatewaysFix) {
  const json document = results_to_json(testing::make_sample_scan());
  ASSERT_GT(document["summary"].value("open_relay", 0), 0) << "the sample has an open relay";
  const std::string html = render_html(document);
  const auto executive = html.find("<section id=\"executive-summary\">");
  ASSERT_NE(executive, std::string::npos);
  EXPECT_LT(executive, html.find("<section id=\"summary\">"));
  EXPECT_NE(html.find("Vantage: from ", executive), std::string::npos);
  EXPECT_NE(html.find("gateway(s) relay mail for strangers", executive), std::string::npos);
  EXPECT_NE(html.find("What opens it (fix this)", executive), std::string::npos);
  // The baseline's first setting, from the script library.
  EXPECT_NE(html.find("Postfix: mynetworks", executive), std::string::npos);
}

}  // namespace
}  // namespace relayaudit
