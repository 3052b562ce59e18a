// The display escape rule every report shares: a real ESC byte and a server's literal text
// "\x1b" never look the same (our escapes are "\xNN", the server's backslashes are doubled).
#include <gtest/gtest.h>

#include <sstream>

#include "reports/html_report.hpp"
#include "reports/junit_report.hpp"
#include "reports/markdown_report.hpp"
#include "reports/received_text.hpp"
#include "reports/results_json.hpp"
#include "reports/safe_text.hpp"
#include "reports/sarif_report.hpp"
#include "reports/text_summary.hpp"
#include "reports/xml_text.hpp"
#include "support/report_validators.hpp"
#include "support/sample_scan.hpp"
#include "support/text_search.hpp"

namespace relayaudit {
namespace {

using testing::contains;

constexpr const char* kRealEsc = "2.1.5 Ok \x1b[31m";
constexpr const char* kLiteralEsc = "2.1.5 Ok \\x1b[31m";
constexpr const char* kBoth = "2.1.5 Ok \x1b[31m and \\x1b[31m";

// The sample scan with the open relay's accepted reply (also in its transcript) set to `reply`.
ScanResult scan_replying(const std::string& reply) {
  ScanResult scan = testing::make_sample_scan();
  for (auto& endpoint : scan.endpoints) {
    if (endpoint.verdict != EndpointVerdict::open_relay) continue;
    TestResult& relay = endpoint.tests.at(0);
    relay.reply->lines = {"250 " + reply};
    relay.transcript.back().line = "250 " + reply;
  }
  return scan;
}

std::string summary_of(const ScanResult& scan) {
  std::ostringstream out;
  print_text_summary(out, scan, false);
  return out.str();
}

// Every format, rendered from the same scan.
struct Rendered {
  std::string html, markdown, junit, sarif, terminal;
};

Rendered render_all(const ScanResult& scan) {
  const nlohmann::json document = results_to_json(scan);
  return {render_html(document), render_markdown(document), render_junit(document),
          render_sarif(document), summary_of(scan)};
}

TEST(EscapeRule, ARealEscByteAndTheLiteralTextBackslashX1bRenderDifferentlyInEveryFormat) {
  const Rendered real = render_all(scan_replying(kRealEsc));
  const Rendered literal = render_all(scan_replying(kLiteralEsc));
  EXPECT_NE(real.html, literal.html);
  EXPECT_NE(real.markdown, literal.markdown);
  EXPECT_NE(real.junit, literal.junit);
  EXPECT_NE(real.sarif, literal.sarif);
  EXPECT_NE(real.terminal, literal.terminal);

  EXPECT_TRUE(contains(real.html, "Ok <span class=\"esc\">\\x1b</span>[31m"));
  EXPECT_TRUE(contains(literal.html, "Ok \\\\x1b[31m")) << "a server's backslash is doubled";
  EXPECT_FALSE(contains(literal.html, "Ok <span class=\"esc\">\\x1b"));
  EXPECT_TRUE(contains(real.junit, "250 2.1.5 Ok \\x1b[31m"));
  EXPECT_TRUE(contains(literal.junit, "250 2.1.5 Ok \\\\x1b[31m"));
  EXPECT_FALSE(contains(literal.junit, "Ok \\x1b[31m"));
  EXPECT_TRUE(contains(real.terminal, "Ok \\x1b[31m"));
  EXPECT_TRUE(contains(literal.terminal, "Ok \\\\x1b[31m"));
}

TEST(EscapeRule, OneReplyHoldingBothShowsEachItsOwnWay) {
  const Rendered both = render_all(scan_replying(kBoth));
  EXPECT_TRUE(contains(both.html, "Ok <span class=\"esc\">\\x1b</span>[31m and \\\\x1b[31m"));
  EXPECT_TRUE(contains(both.junit, "Ok \\x1b[31m and \\\\x1b[31m")) << both.junit;
  EXPECT_TRUE(contains(both.terminal, "Ok \\x1b[31m and \\\\x1b[31m")) << both.terminal;
  // As JSON text, where each backslash is doubled once more.
  EXPECT_TRUE(contains(both.sarif, "Ok \\\\x1b")) << both.sarif;
  EXPECT_TRUE(contains(both.sarif, "and \\\\\\\\x1b")) << both.sarif;
  EXPECT_TRUE(contains(both.markdown, "Ok \\x1b[31m and \\\\x1b[31m")) << both.markdown;

  // What a reader of GitHub's rendering sees: the same two forms.
  REQUIRE_CMARK();
  const std::string page = testing::render_with_cmark(both.markdown);
  EXPECT_TRUE(contains(page, "Ok \\x1b[31m and \\\\x1b[31m")) << page;
}

TEST(EscapeRule, TranscriptLinesAreShownExactlyByTheirEscapedFlag) {
  // In one line the server sent the byte 0xff, in the other the four characters "\xff"; the
  // document writes both as "\xff", and only the transcript's "escaped" flag tells them apart.
  nlohmann::json document = results_to_json(testing::make_sample_scan());
  for (auto& endpoint : document["endpoints"]) {
    if (endpoint["verdict"] != "open-relay") continue;
    endpoint["transcript"] = nlohmann::json::array(
        {{1, 1, "S", "250 sent \\xff", true}, {2, 1, "S", "250 typed \\xff"}});
    endpoint["tests"][0]["lines"] = nlohmann::json::array({{0, 2}});
  }
  const std::string junit = render_junit(document);
  EXPECT_TRUE(contains(junit, "S: 250 sent \\xff\nS: 250 typed \\\\xff")) << junit;
  const std::string html = render_html(document);
  EXPECT_TRUE(contains(html, "250 sent <span class=\"esc\">\\xff</span>")) << html;
  EXPECT_TRUE(contains(html, "250 typed \\\\xff")) << html;
}

TEST(EscapeRule, InvalidBytesStillShowAsOneEscapeEachAndTheirLineKeepsOneBackslashRule) {
  // The document writes 0xff as "\xff" and doubles the backslash in that line; the display
  // shows what was received: one escape for the byte, and the backslash doubled once.
  const std::string document_text = escape_invalid_utf8("a\xff b\\c");
  EXPECT_EQ(document_text, "a\\xff b\\\\c");
  EXPECT_EQ(received_bytes(document_text), "a\xff b\\c");
  EXPECT_EQ(visible_text(document_text), "a\\xff b\\\\c");
  // A clean line is its own bytes: its backslashes are the server's.
  EXPECT_EQ(received_bytes("a\\x1b"), "a\\x1b");
  EXPECT_EQ(visible_text("a\\x1b"), "a\\\\x1b");
  EXPECT_EQ(visible_text("a\x1b"), "a\\x1b");
  // Not the document's escaped form ("\x41" is no invalid byte; "\q" no escape): taken as is.
  EXPECT_EQ(received_bytes("\\x41\\xff"), "\\x41\\xff");
  EXPECT_EQ(received_bytes("\\q\\xff"), "\\q\\xff");
}

}  // namespace
}  // namespace relayaudit
