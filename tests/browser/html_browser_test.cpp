// The HTML report in a real browser: headless Chromium loads it from disk, with no console error,
// and shows the counts, a row per endpoint and the open relay's transcript; it screenshots and
// prints it to PDF into tests/browser-output/ of the build tree, for a person to look at.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "reports/html_report.hpp"
#include "reports/results_json.hpp"
#include "support/process.hpp"
#include "support/sample_scan.hpp"
#include "support/temp_dir.hpp"
#include "support/text_search.hpp"

#ifndef RELAYAUDIT_BINARY
#error "tests/browser needs the relayaudit binary for a real scan of the lab"
#endif

namespace relayaudit {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::contains;
using testing::count_of;

constexpr auto kBrowserLimit = std::chrono::seconds(60);

// The browser executable: $RELAYAUDIT_CHROMIUM, else the first of the usual names on PATH; ""
// when there is none to run.
std::string find_chromium() {
  if (const char* chosen = std::getenv("RELAYAUDIT_CHROMIUM"); chosen && *chosen) {
    return ::access(chosen, X_OK) == 0 ? chosen : "";
  }
  const char* path = std::getenv("PATH");
  std::stringstream dirs(path ? path : "");
  std::string dir;
  while (std::getline(dirs, dir, ':')) {
    for (const char* name : {"chromium", "chromium-browser", "google-chrome"}) {
      const fs::path candidate = fs::path(dir) / name;
      if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
    }
  }
  return "";
}

// Where a person finds the screenshot, the PDF and the HTML: next to the test executable.
fs::path output_dir() {
  std::error_code error;
  const fs::path exe = fs::read_symlink("/proc/self/exe", error);
  const fs::path dir = (error ? fs::current_path() : exe.parent_path()) / "browser-output";
  fs::create_directories(dir);
  return dir;
}

struct BrowserRun {
  testing::CommandResult result;
  std::vector<std::string> console;  // what the page logged: script errors, CSP violations
};

// One headless Chromium run with a fresh profile, offline in all but name, bounded in time.
BrowserRun run_chromium(const std::string& chromium, const fs::path& page,
                        const std::vector<std::string>& action) {
  testing::TempDir profile;
  std::vector<std::string> argv = {chromium,
                                   "--headless",
                                   "--no-sandbox",
                                   "--disable-gpu",
                                   "--disable-quic",
                                   "--no-first-run",
                                   "--disable-background-networking",
                                   "--disable-component-update",
                                   "--disable-sync",
                                   "--user-data-dir=" + profile.path().string(),
                                   "--enable-logging=stderr",
                                   "--v=0"};
  argv.insert(argv.end(), action.begin(), action.end());
  argv.push_back("file://" + fs::absolute(page).string());
  BrowserRun run{testing::run_command(argv, kBrowserLimit), {}};
  std::istringstream err(run.result.err);
  for (std::string line; std::getline(err, line);) {
    if (line.find(":CONSOLE") != std::string::npos || line.find("Uncaught") != std::string::npos) {
      run.console.push_back(line);
    }
  }
  return run;
}

std::string join(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& line : lines) out += line + "\n";
  return out;
}

// The largest "/Count N" of the PDF: its root page tree's page count (Chromium writes it plain).
std::size_t pdf_page_count(const std::string& pdf) {
  std::size_t pages = 0;
  for (auto at = pdf.find("/Count "); at != std::string::npos; at = pdf.find("/Count ", at + 1)) {
    pages = std::max<std::size_t>(pages, std::strtoul(pdf.c_str() + at + 7, nullptr, 10));
  }
  return pages;
}

class BrowserTest : public ::testing::Test {
 protected:
  void SetUp() override {
    chromium_ = find_chromium();
    if (chromium_.empty()) {
      const char* require = std::getenv("RELAYAUDIT_REQUIRE_BROWSER");
      if (require != nullptr && std::string(require) == "1") {
        FAIL() << "RELAYAUDIT_REQUIRE_BROWSER=1 but no chromium on PATH (apt-get install "
                  "chromium chromium-driver)";
      }
      GTEST_SKIP() << "no chromium on PATH; set RELAYAUDIT_REQUIRE_BROWSER=1 to make this fail";
    }
    out_ = output_dir();
    std::cout << "browser output: " << out_.string() << "\n";
  }

  // DOM after load; asserts that the run succeeded and the page logged nothing.
  std::string dump_dom(const fs::path& page) {
    const BrowserRun run = run_chromium(chromium_, page, {"--dump-dom"});
    EXPECT_TRUE(run.result.succeeded()) << run.result.describe() << "\n"
                                        << testing::last_lines(run.result.err, 20);
    EXPECT_TRUE(run.console.empty()) << join(run.console);
    return run.result.out;
  }

  std::string chromium_;
  fs::path out_;
};

// A real scan of the demo lab, its document and its report written under the output folder.
class LabReportInBrowser : public BrowserTest {
 protected:
  void SetUp() override {
    BrowserTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    // Named after the test: ctest may run the tests of this file at the same time.
    const std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    document_ = testing::scan_lab(RELAYAUDIT_BINARY, out_ / ("lab-" + name + ".json"));
    ASSERT_FALSE(HasFailure());
    page_ = out_ / ("lab-" + name + ".html");
    ASSERT_EQ(write_html_report(page_, document_), std::nullopt);
  }
  json document_;
  fs::path page_;
};

TEST_F(LabReportInBrowser, ShowsCountsARowPerEndpointAndTheOpenRelayTranscript) {
  const std::string dom = dump_dom(page_);
  ASSERT_FALSE(dom.empty());
  const json& summary = document_["summary"];
  for (const char* key : {"endpoints", "open_relay", "closed", "inconclusive", "unreachable"}) {
    EXPECT_TRUE(contains(dom, "id=\"count-" + std::string(key) + "\">" +
                                  std::to_string(summary[key].get<int>()) + "<"))
        << key;
  }
  EXPECT_GT(summary["open_relay"].get<int>(), 0);
  EXPECT_EQ(count_of(dom, "<tr class=\"endpoint-row\">"), document_["endpoints"].size());
  EXPECT_TRUE(contains(dom, "<svg class=\"chart\""));

  // The open relay's proof, as the session a mail administrator would type.
  for (const json& endpoint : document_["endpoints"]) {
    if (endpoint["verdict"] != "open-relay") continue;
    const std::string port = std::to_string(endpoint["port"].get<int>());
    EXPECT_TRUE(contains(dom, "$ telnet 127.0.0.1 " + port)) << port;
  }
  EXPECT_TRUE(contains(dom,
                       "<b>C: RCPT TO:&lt;relayaudit-probe@relayaudit-external.invalid&gt;</b>\n"
                       "S: 250 2.1.5 Ok"));
  // The lab's binary-reply gateway sends markup in its banner: it is text, not an element.
  EXPECT_TRUE(contains(dom, "&lt;script&gt;alert(1)&lt;/script&gt;"));
  EXPECT_FALSE(contains(dom, "<script"));
}

TEST_F(LabReportInBrowser, ScreenshotAndPdfAreWritten) {
  const fs::path png = out_ / "lab-report.png";
  const fs::path pdf = out_ / "lab-report.pdf";
  fs::remove(png);
  fs::remove(pdf);
  const BrowserRun shot = run_chromium(
      chromium_, page_,
      {"--screenshot=" + png.string(), "--window-size=1280,2000", "--hide-scrollbars"});
  EXPECT_TRUE(shot.result.succeeded()) << shot.result.describe();
  EXPECT_TRUE(shot.console.empty()) << join(shot.console);
  const BrowserRun print =
      run_chromium(chromium_, page_, {"--print-to-pdf=" + pdf.string(), "--no-pdf-header-footer"});
  EXPECT_TRUE(print.result.succeeded()) << print.result.describe();
  EXPECT_TRUE(print.console.empty()) << join(print.console);

  const std::string image = testing::read_file(png.string());
  EXPECT_EQ(image.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  EXPECT_GT(image.size(), 20'000u);
  const std::string document = testing::read_file(pdf.string());
  EXPECT_EQ(document.substr(0, 5), "%PDF-");
  EXPECT_GT(document.size(), 20'000u);
  // The print CSS starts each endpoint on a new page: the page tree's root counts them all.
  EXPECT_GT(pdf_page_count(document), document_["endpoints"].size()) << pdf.string();
  std::cout << "screenshot: " << png.string() << " (" << image.size() << " bytes)\n"
            << "pdf: " << pdf.string() << " (" << document.size() << " bytes)\n";
}

TEST_F(BrowserTest, HostileServerTextStaysInert) {
  ScanResult scan = testing::make_sample_scan();
  const std::string hostile =
      "<script>document.body.dataset.pwned=1</script><img src=x "
      "onerror=\"document.body.dataset.pwned=2\">\xe2\x80\xae";
  for (EndpointResult& endpoint : scan.endpoints) {
    if (endpoint.greeting) endpoint.greeting->banner.lines[0] += hostile;
    endpoint.verdict_reason += hostile;
    endpoint.transcript.push_back({30, Direction::server, "250 " + hostile, 1});
    for (TestResult& test : endpoint.tests) {
      test.title += hostile;
      test.transcript.push_back({40, Direction::server, "250 " + hostile, 1});
    }
  }
  const fs::path page = out_ / "hostile-report.html";
  ASSERT_EQ(write_html_report(page, results_to_json(scan)), std::nullopt);
  const std::string dom = dump_dom(page);  // a blocked script would log a CSP violation
  ASSERT_FALSE(dom.empty());
  EXPECT_FALSE(contains(dom, "<script"));
  EXPECT_FALSE(contains(dom, "<img"));
  EXPECT_FALSE(contains(dom, "pwned=\"")) << "a script ran and marked the body";
  EXPECT_TRUE(contains(dom, "&lt;script&gt;document.body.dataset.pwned=1&lt;/script&gt;"));
  EXPECT_TRUE(contains(dom, "<span class=\"esc\">\\u202e</span>"));  // bidi override shown
  EXPECT_TRUE(contains(dom, "<span class=\"esc\">\\x1b</span>"));    // the sample's ANSI escape
}

TEST_F(BrowserTest, ConsoleCheckCatchesAPageThatRunsScript) {
  // Proves the console check can fail: raw markup (what an escaping bug would emit) under the
  // report's Content-Security-Policy is blocked and logged, and a page error is logged too.
  const fs::path page = out_ / "console-control.html";
  testing::write_file(page.string(),
                      "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><meta "
                      "http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'\">"
                      "<title>control</title></head><body><script>alert(1)</script></body></html>");
  EXPECT_FALSE(run_chromium(chromium_, page, {"--dump-dom"}).console.empty());
  const fs::path broken = out_ / "console-control-error.html";
  testing::write_file(broken.string(),
                      "<!DOCTYPE html><html><body><script>no_such_function();</script></body>"
                      "</html>");
  const BrowserRun run = run_chromium(chromium_, broken, {"--dump-dom"});
  EXPECT_TRUE(contains(join(run.console), "Uncaught")) << run.result.err;
}

}  // namespace
}  // namespace relayaudit
