// print_text_summary and progress_line: order, evidence, colors, and inert server text.
#include "reports/text_summary.hpp"

#include <gtest/gtest.h>

#include <sstream>

#include "support/sample_scan.hpp"

namespace relayaudit {
namespace {

std::string render(const ScanResult& scan, bool color) {
  std::ostringstream out;
  print_text_summary(out, scan, color);
  return out.str();
}

TEST(TextSummary, HeaderCountsAndOpenRelaysFirst) {
  const std::string text = render(testing::make_sample_scan(), false);
  EXPECT_EQ(text.rfind("4 endpoints: 1 open-relay, 1 closed, 1 inconclusive, 1 unreachable; "
                       "1 target unresolved\n",
                       0),
            0u)
      << text;
  const auto open = text.find("open-relay    192.0.2.1:25  mx1.example.com");
  const auto inconclusive = text.find("inconclusive  192.0.2.3:25");
  const auto unreachable = text.find("unreachable   [2001:db8::25]:25");
  const auto closed = text.find("closed        192.0.2.2:25");
  ASSERT_NE(open, std::string::npos) << text;
  ASSERT_NE(inconclusive, std::string::npos) << text;
  ASSERT_NE(unreachable, std::string::npos) << text;
  ASSERT_NE(closed, std::string::npos) << text;
  EXPECT_LT(open, inconclusive);
  EXPECT_LT(inconclusive, unreachable);
  EXPECT_LT(unreachable, closed);
  EXPECT_NE(text.find("run verdict: open-relay\n"), std::string::npos) << text;
}

TEST(TextSummary, ShowsTheEvidence) {
  const std::string text = render(testing::make_sample_scan(), false);
  EXPECT_NE(
      text.find("  relay-external-sender: RCPT TO:<victim@elsewhere.example> -> 250 2.1.5 Ok"),
      std::string::npos)
      << text;
  EXPECT_NE(text.find("  status connection-refused at connect: connection refused\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("  relay-external-sender: deferred at rcpt -> 450 4.7.1 Greylisted\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("nxdomain.example  (targets.txt:3) resolve-failed: no such domain"),
            std::string::npos)
      << text;
  // A passing control is not evidence of anything and is not listed.
  EXPECT_EQ(text.find("control-postmaster"), std::string::npos) << text;
}

TEST(TextSummary, HostileServerTextIsInert) {
  ScanResult scan = testing::make_sample_scan();
  // Everything a server or user controls carries an escape sequence.
  EndpointResult& open = scan.endpoints.back();
  open.verdict_reason = std::string("accepted ") + testing::kAnsiEscape;
  open.endpoint.host_name = std::string("mx\x1b]0;pwned\x07.example");
  open.tests[0].rcpt_to = {std::string("a@b\x1b[2J")};
  scan.endpoints[1].error = std::string("refused\r\x1b[1A");
  for (bool color : {false, true}) {
    const std::string text = render(scan, color);
    // Only our own color sequences may contain ESC, and only when color is on.
    std::string stripped = text;
    for (const char* own : {"\x1b[1;31m", "\x1b[32m", "\x1b[33m", "\x1b[90m", "\x1b[0m"}) {
      for (auto at = stripped.find(own); at != std::string::npos; at = stripped.find(own)) {
        stripped.erase(at, std::string_view(own).size());
      }
    }
    EXPECT_EQ(stripped.find('\x1b'), std::string::npos) << text;
    EXPECT_EQ(stripped.find('\x07'), std::string::npos) << text;
    EXPECT_EQ(stripped.find('\r'), std::string::npos) << text;
    EXPECT_EQ(color, text.find('\x1b') != std::string::npos);
    EXPECT_NE(text.find("\\x1b[31m"), std::string::npos) << text;
    EXPECT_NE(text.find("mx\\x1b]0;pwned\\x07.example"), std::string::npos) << text;
    EXPECT_NE(text.find("RCPT TO:<a@b\\x1b[2J>"), std::string::npos) << text;
    EXPECT_NE(text.find("\\xff\\xfe"), std::string::npos) << text;
  }
}

TEST(TextSummary, GroupsTestsRefusedTheSameWay) {
  ScanResult scan;
  EndpointResult refused = testing::make_endpoint("192.0.2.7", EndpointVerdict::unreachable);
  refused.error = "banner refused the session";
  refused.stage = Stage::banner;
  for (const char* id : {"a", "b", "c", "d", "e"}) {
    refused.tests.push_back(
        testing::make_test(id, Expectation::reject, Outcome::blocked, 554, "5.3.2 go away"));
    refused.tests.back().stage = Stage::banner;
  }
  refused.tests.back().outcome = Outcome::error;
  refused.tests.back().status = Status::closed_by_server;
  refused.tests.back().reply.reset();
  scan.endpoints.push_back(refused);
  const std::string text = render(scan, false);
  EXPECT_NE(text.find("  status ok at banner: banner refused the session\n"
                      "  a, b, c +1 more: blocked at banner -> 554 5.3.2 go away\n"
                      "  e: error at banner (closed-by-server)\n"),
            std::string::npos)
      << text;

  // A clean session end adds nothing to the test lines and is left out.
  scan.endpoints[0].error.clear();
  EXPECT_EQ(render(scan, false).find("status ok"), std::string::npos);
}

TEST(TextSummary, ColorsTheVerdict) {
  const std::string text = render(testing::make_sample_scan(), true);
  EXPECT_NE(text.find("\x1b[1;31mopen-relay\x1b[0m"), std::string::npos) << text;
  EXPECT_NE(text.find("\x1b[32mclosed\x1b[0m"), std::string::npos) << text;
  EXPECT_NE(text.find("\x1b[33minconclusive\x1b[0m"), std::string::npos) << text;
  EXPECT_NE(text.find("\x1b[90munreachable\x1b[0m"), std::string::npos) << text;
}

TEST(TextSummary, EmptyScan) {
  EXPECT_EQ(render(ScanResult{}, false),
            "0 endpoints: 0 open-relay, 0 closed, 0 inconclusive, 0 unreachable\n"
            "run verdict: closed\n");
}

TEST(ProgressLine, CountsAndPercent) {
  EXPECT_EQ(progress_line(12, 40, 1), "12/40 endpoints audited (30%), 1 open relay");
  EXPECT_EQ(progress_line(0, 0, 0), "0/0 endpoints audited (100%), 0 open relays");
  EXPECT_EQ(progress_line(3, 3, 2), "3/3 endpoints audited (100%), 2 open relays");
  // Elapsed time, an estimate from the pace so far, and what the scan waits on.
  EXPECT_EQ(progress_line(ScanProgress{12, 40, 1, 8'000, 0, 0}),
            "12/40 endpoints audited (30%), 1 open relay, 8 s elapsed, about 19 s left");
  EXPECT_EQ(progress_line(ScanProgress{1, 4, 0, 70'000, 3, 54'200}),
            "1/4 endpoints audited (25%), 0 open relays, 1 min 10 s elapsed, about 3 min 30 s "
            "left; 3 endpoints waiting 54 s for greylisting");
  EXPECT_EQ(progress_line(ScanProgress{0, 10, 0, 500, 0, 0}),
            "0/10 endpoints audited (0%), 0 open relays, 1 s elapsed")
      << "no estimate before the first endpoint";
  EXPECT_EQ(progress_line(ScanProgress{5, 10, 0, 7'300'000, 1, 3'600'000}),
            "5/10 endpoints audited (50%), 0 open relays, 2 h 1 min elapsed, about 2 h 1 min "
            "left; 1 endpoint waiting 1 h for greylisting");
}

}  // namespace
}  // namespace relayaudit
