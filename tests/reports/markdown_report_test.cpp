// render_markdown: structure, and hostile text that must neither open HTML nor break the layout.
#include "reports/markdown_report.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <sstream>
#include <vector>

#include "reports/results_json.hpp"
#include "support/process.hpp"
#include "support/report_validators.hpp"
#include "support/sample_scan.hpp"
#include "support/temp_dir.hpp"

namespace relayaudit {
namespace {

using nlohmann::json;
using testing::open_relay_endpoint;
using testing::render_with_cmark;
using testing::TempDir;

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

bool is_fence(const std::string& line) {
  return line.size() >= 3 && line.find_first_not_of('`') >= 3;
}

// The Markdown outside fenced blocks, and the content of each fenced block. A block opens with
// a line of 3+ backticks and an info string and closes at a line of exactly that fence, as the
// writer emits them (CommonMark also closes at a longer run of backticks, which content made
// visible by the writer cannot hold at line start without being shorter than the fence).
struct Split {
  std::vector<std::string> outside;
  std::vector<std::string> blocks;
};

Split split_fences(const std::string& markdown) {
  Split split;
  const auto lines = lines_of(markdown);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    if (!is_fence(lines[i])) {
      split.outside.push_back(lines[i]);
      continue;
    }
    const std::string fence = lines[i].substr(0, lines[i].find_first_not_of('`'));
    std::string block;
    std::size_t j = i + 1;
    for (; j < lines.size(); ++j) {
      const auto run = lines[j].find_first_not_of('`');
      const std::size_t length = run == std::string::npos ? lines[j].size() : run;
      if (length >= fence.size() && lines[j].find_first_not_of(" ", length) == std::string::npos) {
        break;
      }
      block += lines[j] + "\n";
    }
    EXPECT_LT(j, lines.size()) << "unclosed fence at line " << i;
    split.blocks.push_back(block);
    i = j;
  }
  return split;
}

// A line with its code spans and backslash escapes removed, as CommonMark finds them: a run of
// n backticks opens a span that the next run of exactly n closes; an unmatched run is literal.
std::string outside_code_spans(const std::string& line) {
  std::string out;
  std::size_t i = 0;
  while (i < line.size()) {
    if (line[i] == '\\' && i + 1 < line.size()) {
      out += "ESC";  // an escaped character is literal: nothing to check
      i += 2;
      continue;
    }
    if (line[i] != '`') {
      out += line[i++];
      continue;
    }
    const std::size_t run = line.find_first_not_of('`', i) == std::string::npos
                                ? line.size() - i
                                : line.find_first_not_of('`', i) - i;
    std::size_t close = i + run;
    bool closed = false;
    while ((close = line.find('`', close)) != std::string::npos) {
      const std::size_t end = line.find_first_not_of('`', close);
      const std::size_t length = (end == std::string::npos ? line.size() : end) - close;
      if (length == run) {
        closed = true;
        break;
      }
      close += length;
    }
    if (!closed) {
      out += line.substr(i, run);
      i += run;
      continue;
    }
    out += "CODE";
    i = close + run;
  }
  return out;
}

std::size_t unescaped_pipes(const std::string& line) {
  std::size_t count = 0;
  for (std::size_t i = 0; i < line.size(); ++i) {
    if (line[i] == '|' && (i == 0 || line[i - 1] != '\\')) ++count;
  }
  return count;
}

// Checks on the raw Markdown that hold whatever renderer reads it: outside code nothing could
// open HTML or inline markup, and every table row has exactly its header's number of cells.
void expect_inert_markdown(const std::string& markdown) {
  const Split split = split_fences(markdown);
  std::size_t columns = 0;
  for (const std::string& line : split.outside) {
    // Our own blockquote marker is the one ">" that may start a line.
    const std::string text = outside_code_spans(line.rfind("> ", 0) == 0 ? line.substr(2) : line);
    // Our own strong emphasis is "**"; any other markup character must have been escaped.
    std::string unescaped = text;
    for (auto at = unescaped.find("**"); at != std::string::npos; at = unescaped.find("**")) {
      unescaped.erase(at, 2);
    }
    EXPECT_EQ(unescaped.find_first_of("<>`[]*_$~"), std::string::npos) << line;
    if (line.rfind("|", 0) != 0) {
      columns = 0;
      continue;
    }
    if (columns == 0) columns = unescaped_pipes(line);
    EXPECT_EQ(unescaped_pipes(line), columns) << line;
  }
}

void expect_no_server_html(const std::string& html) {
  for (const char* tag : {"<script", "<img", "<b>", "<em>", "<del>", "<h1"}) {
    EXPECT_EQ(html.find(tag), std::string::npos) << tag << " in\n" << html;
  }
  EXPECT_EQ(html.find("href=\"http"), std::string::npos) << html;
}

TEST(MarkdownReport, SummaryOfTheSampleScan) {
  const std::string markdown = render_markdown(results_to_json(testing::make_sample_scan()));
  EXPECT_EQ(markdown.rfind("## relayaudit: open relay found\n\nRun verdict **open-relay**. "
                           "Scan from `2024-05-01T12:00:00.123Z` to `2024-05-01T12:00:02.623Z` "
                           "(2.5 s) by relayaudit `0.1.0`, 2 scripts.\n",
                           0),
            0u)
      << markdown;
  EXPECT_NE(markdown.find("| verdict | endpoints |\n| --- | ---: |\n| open-relay | 1 |\n"
                          "| inconclusive | 1 |\n| unreachable | 1 |\n| closed | 1 |\n"
                          "| **total** | **4** |\n| unresolved targets | 1 |\n"),
            std::string::npos)
      << markdown;
  // Endpoints worst first, each with its host, TLS, banner and reason.
  const auto open = markdown.find(
      "| open-relay | `192.0.2.1:25` | `mx1.example.com` | none | `220 "
      "mx1.example.com ESMTP \\xff\\xfe\\x1b[31mowned\\\\here` | "
      "relay-external-sender was accepted |");
  const auto inconclusive = markdown.find("| inconclusive | `192.0.2.3:25` |");
  const auto unreachable = markdown.find("| unreachable | `[2001:db8::25]:25` |");
  const auto closed = markdown.find("| closed | `192.0.2.2:25` |");
  ASSERT_NE(open, std::string::npos) << markdown;
  EXPECT_LT(open, inconclusive);
  EXPECT_LT(inconclusive, unreachable);
  EXPECT_LT(unreachable, closed);
  EXPECT_NE(closed, std::string::npos);
  // The open relay's evidence: the exact envelope and reply, and the transcript in a block.
  EXPECT_NE(markdown.find("### Open relays\n\n#### `mx1.example.com at 192.0.2.1:25`\n"),
            std::string::npos)
      << markdown;
  EXPECT_NE(markdown.find("| `relay-external-sender` | high | `<audit@external.example>` | "
                          "`<victim@elsewhere.example>` | `250 2.1.5 Ok \\xff\\xfe\\x1b[31m` |\n"),
            std::string::npos)
      << markdown;
  EXPECT_NE(markdown.find("```text\nC: RCPT TO:<victim@elsewhere.example>\n"
                          "S: 250 2.1.5 Ok \\xff\\xfe\\x1b[31m\n```\n"),
            std::string::npos)
      << markdown;
  EXPECT_NE(markdown.find("### Unresolved targets\n\n| target | origin | status | message |\n"
                          "| --- | --- | --- | --- |\n| `nxdomain.example` | targets\\.txt\\:3 | "
                          "resolve-failed | no such domain |\n"),
            std::string::npos)
      << markdown;
  EXPECT_EQ(markdown.find("Incomplete"), std::string::npos);
  expect_inert_markdown(markdown);
}

TEST(MarkdownReport, NamesSayWhatTheUserAskedForAndWhatTheServerCallsItself) {
  json results = results_to_json(testing::make_sample_scan());
  json& open = open_relay_endpoint(results);
  open["targets"] = {"example.com"};
  open["mail_domains"] = {"example.com"};
  open["ehlo"] = {{"server_domain", "gw7.internal.example"},
                  {"reply", {{"code", 250}, {"enhanced", nullptr}, {"lines", {"250 gw7"}}}}};
  const std::string markdown = render_markdown(results);
  // The table row: address:port, then the target as written with the MX host, then the server.
  EXPECT_NE(markdown.find("| `192.0.2.1:25` | `example.com, MX mx1.example.com` (server "
                          "`gw7.internal.example`) |"),
            std::string::npos)
      << markdown;
  EXPECT_NE(markdown.find("#### `example.com, MX mx1.example.com at 192.0.2.1:25, server "
                          "gw7.internal.example`\n"),
            std::string::npos)
      << markdown;
}

TEST(MarkdownReport, HostileServerTextCannotOpenHtmlOrBreakTheLayout) {
  const std::string hostile =
      "a|b \\| `x` ``y`` <script>alert(1)</script> <img src=x onerror=alert(1)> <b>bold</b> "
      "*em* _u_ ~~del~~ [l](https://evil.example) https://evil.example www.evil.example $x$ "
      "&amp; &#60; \x01\x1b[31m\n# pwned\n| --- |";
  json results = results_to_json(testing::make_sample_scan());
  json& open = open_relay_endpoint(results);
  open["host_name"] = hostile;
  open["verdict_reason"] = hostile;
  open["banner"]["lines"] = {"220 " + hostile};
  open["evidence"] = {{"strength", hostile}, {"sink_suspected", false}, {"detail", hostile}};
  open["findings"] = json::array({{{"id", hostile}, {"severity", hostile}, {"message", hostile}}});
  json& test = open["tests"][0];
  test["id"] = hostile;
  results["scripts"][hostile] = results["scripts"]["relay-external-sender"];
  results["scripts"][hostile]["severity"] = hostile;
  test["mail_from"] = hostile;
  test["rcpt_to"] = {hostile, "`"};
  test["reply"]["lines"] = {"250 " + hostile, "250 ``````"};
  testing::add_test_line(open, 0, json::array({120, 1, "S", "``````"}));
  testing::add_test_line(open, 0, json::array({120, 1, "S", hostile}));
  results["unresolved"][0]["target"] = hostile;
  results["unresolved"][0]["message"] = hostile;

  const std::string markdown = render_markdown(results);
  expect_inert_markdown(markdown);
  // Line breaks in server text stay \x0a: no heading or table delimiter row of its own.
  const auto lines = lines_of(markdown);
  for (std::size_t i = 0; i < lines.size(); ++i) {
    EXPECT_NE(lines[i].rfind("# pwned", 0), 0u);
    if (lines[i].rfind("| --- |", 0) == 0) {
      ASSERT_GE(i, 2u);
      EXPECT_TRUE(lines[i - 2].empty() && lines[i - 1].rfind("| ", 0) == 0) << lines[i - 1];
    }
  }
  for (unsigned char c : markdown) EXPECT_TRUE(c >= 0x20 || c == '\n') << int(c);
  // The transcript's own fence line sits inside a longer fence.
  const Split split = split_fences(markdown);
  ASSERT_EQ(split.blocks.size(), 1u) << markdown;
  EXPECT_NE(split.blocks[0].find("S: ``````\nS: a|b"), std::string::npos) << split.blocks[0];
  EXPECT_NE(markdown.find("\n```````text\n"), std::string::npos) << markdown;

  REQUIRE_CMARK();
  const std::string html = render_with_cmark(markdown);
  expect_no_server_html(html);
  // The whole reply reached its cell as text, pipes and all.
  // The server's backslash is shown doubled, as every report shows one.
  EXPECT_NE(html.find("<code>250 a|b \\\\| `x` ``y`` &lt;script&gt;alert(1)&lt;/script&gt;"),
            std::string::npos)
      << html;
  EXPECT_NE(html.find("\\x0a# pwned\\x0a| --- |</code>"), std::string::npos) << html;
  EXPECT_NE(html.find("S: ``````\nS: a|b \\\\| `x` ``y`` &lt;script&gt;"), std::string::npos)
      << html;
}

TEST(MarkdownReport, LongRunsAreCapped) {
  json results = results_to_json(testing::make_sample_scan());
  const json open = open_relay_endpoint(results);
  results["endpoints"] = json::array();
  for (std::size_t i = 0; i < kMaxOpenRelaysDetailed + 3; ++i) {
    json endpoint = open;
    endpoint["endpoint"] = "192.0.2." + std::to_string(i + 1) + ":25";
    results["endpoints"].push_back(endpoint);
  }
  const std::string markdown = render_markdown(results);
  std::size_t sections = 0;
  for (const std::string& line : lines_of(markdown)) sections += line.rfind("#### ", 0) == 0;
  EXPECT_EQ(sections, kMaxOpenRelaysDetailed);
  EXPECT_NE(markdown.find("The evidence for the 3 further open relays is in the results JSON"),
            std::string::npos);
}

TEST(MarkdownReport, IncompleteAndEmptyScans) {
  json results = results_to_json(ScanResult{});
  results["complete"] = false;
  const std::string markdown = render_markdown(results);
  EXPECT_EQ(markdown.rfind("## relayaudit: no open relay\n", 0), 0u) << markdown;
  EXPECT_NE(markdown.find("> **Incomplete scan:**"), std::string::npos);
  EXPECT_NE(markdown.find("No endpoint was audited."), std::string::npos);
  expect_inert_markdown(markdown);
}

#ifdef RELAYAUDIT_BINARY

TEST(MarkdownReport, RealLabScanSummary) {
  TempDir dir;
  const json results = testing::scan_lab(RELAYAUDIT_BINARY, dir.path() / "lab.json");
  ASSERT_FALSE(HasFailure());
  const std::string markdown = render_markdown(results);
  expect_inert_markdown(markdown);
  EXPECT_EQ(markdown.rfind("## relayaudit: open relay found\n", 0), 0u);
  const json& summary = results["summary"];
  for (const char* verdict : {"open_relay", "inconclusive", "unreachable", "closed"}) {
    std::string name = verdict;
    std::replace(name.begin(), name.end(), '_', '-');
    EXPECT_NE(
        markdown.find("| " + name + " | " + std::to_string(summary[verdict].get<int>()) + " |\n"),
        std::string::npos)
        << name;
  }
  EXPECT_NE(markdown.find(std::to_string(summary["tests"].get<int>()) + " tests run, " +
                          std::to_string(summary["tests_failed"].get<int>()) + " failed."),
            std::string::npos);
  // A row per endpoint, a section per open relay with its transcript.
  for (const auto& endpoint : results["endpoints"]) {
    const std::string row = "| " + endpoint["verdict"].get<std::string>() + " | `" +
                            endpoint["endpoint"].get<std::string>() + "` |";
    EXPECT_NE(markdown.find(row), std::string::npos) << row;
    if (endpoint["verdict"] == "open-relay") {
      // The heading names the gateway: the address:port, then the server's own name if any.
      EXPECT_NE(markdown.find("#### `" + endpoint["endpoint"].get<std::string>()),
                std::string::npos);
    }
  }
  EXPECT_EQ(split_fences(markdown).blocks.size(), summary["open_relay"].get<std::size_t>());
  // The binary-reply gateway's banner, shown as text in a code span.
  EXPECT_NE(markdown.find("<script>alert(1)</script> ]]> \"quoted\" \\x01\\x07 \\xc3(`"),
            std::string::npos)
      << markdown;

  REQUIRE_CMARK();
  const std::string html = render_with_cmark(markdown);
  expect_no_server_html(html);
  EXPECT_NE(html.find("&lt;script&gt;alert(1)&lt;/script&gt; ]]&gt; &quot;quoted&quot; \\x01\\x07"),
            std::string::npos);
}

#endif  // RELAYAUDIT_BINARY

}  // namespace
}  // namespace relayaudit

namespace relayaudit {
namespace {

// A fleet's findings are capped, most severe first, and the summary says how many were left out.
TEST(MarkdownReport, FindingsAreCappedMostSevereFirst) {
  nlohmann::json endpoints = nlohmann::json::array();
  for (std::size_t i = 0; i < kMaxFindingRows + 10; ++i) {
    nlohmann::json endpoint = results_to_json(testing::make_sample_scan())["endpoints"][0];
    endpoint["endpoint"] = "192.0.2.1:" + std::to_string(1000 + i);
    endpoint["findings"] = {{{"id", "probe-unknown-local-recipient"},
                             {"severity", "info"},
                             {"message", "note " + std::to_string(i)}}};
    endpoints.push_back(endpoint);
  }
  endpoints.back()["findings"].push_back(
      {{"id", "tls-starttls-injection"}, {"severity", "high"}, {"message", "the high one"}});
  nlohmann::json results = results_to_json(testing::make_sample_scan());
  results["endpoints"] = endpoints;
  const std::string markdown = render_markdown(results);
  const auto table = markdown.find("### Findings");
  ASSERT_NE(table, std::string::npos);
  // The high finding of the last endpoint comes first; 11 info rows do not fit.
  EXPECT_LT(markdown.find("the high one", table), markdown.find("note 0", table));
  EXPECT_EQ(markdown.find("note " + std::to_string(kMaxFindingRows - 1), table), std::string::npos);
  EXPECT_NE(markdown.find("The 11 further findings (the least severe) are in the results JSON"),
            std::string::npos);
}

}  // namespace
}  // namespace relayaudit
