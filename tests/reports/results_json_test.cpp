// results_to_json: document shape, and hostile server text that still dumps strictly.
#include "reports/results_json.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

#include "reports/version.hpp"
#include "support/sample_scan.hpp"

namespace relayaudit {
namespace {

using nlohmann::json;

const json& endpoint_named(const json& document, std::string_view key) {
  for (const auto& endpoint : document.at("endpoints")) {
    if (endpoint.at("endpoint") == key) return endpoint;
  }
  throw std::runtime_error("no endpoint " + std::string(key));
}

TEST(ResultsJson, InvalidUtf8DumpsStrictlyAndRoundTrips) {
  const json document = results_to_json(testing::make_sample_scan());
  std::string text;
  // strict: a network string that skipped escape_invalid_utf8 would throw here.
  ASSERT_NO_THROW(text = document.dump(2, ' ', false, json::error_handler_t::strict));
  json parsed;
  ASSERT_NO_THROW(parsed = json::parse(text));
  EXPECT_EQ(parsed, document);

  const json& open = endpoint_named(parsed, "192.0.2.1:25");
  const std::string banner_line = open.at("banner").at("lines").at(0);
  EXPECT_NE(banner_line.find("\\xff\\xfe"), std::string::npos) << banner_line;
  EXPECT_NE(banner_line.find("owned\\\\here"), std::string::npos) << banner_line;
  EXPECT_FALSE(open.at("banner").contains("text")) << "2.0: a reply's text is its lines";
  EXPECT_EQ(open.at("ehlo").at("capabilities").at(0), "X-EVIL \\xff\\xfe");
  EXPECT_EQ(open.at("ehlo").at("reply").at("lines").at(1), "250-X-EVIL \\xff\\xfe");

  const json& relay = open.at("tests").at(0);
  EXPECT_EQ(relay.at("reply").at("lines").at(0), "250 2.1.5 Ok \\xff\\xfe\x1b[31m");
  // The test's lines are ranges into the one endpoint transcript: [t_ms, session, dir, line].
  const json& transcript = open.at("transcript");
  ASSERT_EQ(relay.at("lines"), json::parse("[[2, 2]]")) << transcript.dump();
  const json& server_line = transcript.at(3);
  EXPECT_EQ(server_line, json({110, 1, "S", "250 2.1.5 Ok \\xff\\xfe\x1b[31m", true}));
  EXPECT_EQ(transcript.at(2), json({100, 1, "C", "RCPT TO:<victim@elsewhere.example>"}));
  EXPECT_EQ(transcript.at(1).at(4), true) << "the banner line was escaped";

  // User-supplied options are escaped too, keys included.
  EXPECT_EQ(parsed.at("options").at("user\\xc0\\xaf"), "value\\xff");
}

TEST(ResultsJson, TopLevelFields) {
  const json document = results_to_json(testing::make_sample_scan());
  EXPECT_EQ(document.at("schema_version"), "2.0");
  EXPECT_EQ(document.at("tool").at("name"), "relayaudit");
  EXPECT_EQ(document.at("tool").at("version"), kToolVersion);
  EXPECT_EQ(document.at("started_at"), "2024-05-01T12:00:00.123Z");
  EXPECT_EQ(document.at("finished_at"), "2024-05-01T12:00:02.623Z");
  EXPECT_EQ(document.at("duration_ms"), 2500);
  EXPECT_EQ(document.at("complete"), true);
  // Each script once, with what it is; no test repeats it.
  const json& scripts = document.at("scripts");
  ASSERT_EQ(scripts.size(), 2u);
  EXPECT_EQ(scripts.at("relay-external-sender").at("title"), "Test relay-external-sender");
  EXPECT_EQ(scripts.at("relay-external-sender").at("kind"), "relay");
  EXPECT_EQ(scripts.at("relay-external-sender").at("expect"), "reject");
  EXPECT_EQ(scripts.at("control-postmaster").at("kind"), "control");
  EXPECT_EQ(scripts.at("control-postmaster").at("severity"), "high");
  EXPECT_FALSE(scripts.at("control-postmaster").contains("sha256")) << "recorded by run only";
  EXPECT_EQ(document.at("options").at("timeout_ms"), 10000);

  const json& summary = document.at("summary");
  EXPECT_EQ(summary.at("endpoints"), 4);
  EXPECT_EQ(summary.at("open_relay"), 1);
  EXPECT_EQ(summary.at("closed"), 1);
  EXPECT_EQ(summary.at("inconclusive"), 1);
  EXPECT_EQ(summary.at("unreachable"), 1);
  EXPECT_EQ(summary.at("unresolved"), 1);
  EXPECT_EQ(summary.at("tests"), 4);
  EXPECT_EQ(summary.at("tests_failed"), 1);
  EXPECT_EQ(summary.at("verdict"), "open-relay");

  const json& problem = document.at("unresolved").at(0);
  EXPECT_EQ(problem.at("target"), "nxdomain.example");
  EXPECT_EQ(problem.at("origin"), "targets.txt:3");
  EXPECT_EQ(problem.at("status"), "resolve-failed");
  EXPECT_EQ(problem.at("message"), "no such domain");
}

TEST(ResultsJson, RunBlockOnlyWhenGiven) {
  EXPECT_FALSE(results_to_json(testing::make_sample_scan()).contains("run"));
  const RunProvenance given = testing::make_sample_run();
  const json document = results_to_json(testing::make_sample_scan(), &given);
  const json& run = document.at("run");
  EXPECT_EQ(run.at("user"), "audit ops");
  EXPECT_EQ(run.at("uid"), 1000);
  EXPECT_EQ(run.at("host"), "scanner-01.example.com");
  EXPECT_EQ(run.at("working_directory"), "/home/audit/\\xff\\xfe");
  EXPECT_EQ(run.at("command_line").size(), 6u);
  EXPECT_EQ(run.at("command_line")[5], "it's \\xff\\xfe");
  // 2.0: sources and hashes are with the scripts' facts, not in "run".
  EXPECT_FALSE(run.contains("scripts"));
  const json& script = document.at("scripts").at("relay-external-sender");
  EXPECT_EQ(script.at("source"), "/etc/relayaudit/scripts/relay-external-sender.json");
  EXPECT_EQ(script.at("sha256"), std::string(64, 'b'));
  // Unknown values are null, not empty strings that would pass for a name.
  const json unknown = run_provenance_json(RunProvenance{});
  EXPECT_TRUE(unknown.at("user").is_null());
  EXPECT_TRUE(unknown.at("host").is_null());
  EXPECT_TRUE(unknown.at("working_directory").is_null());
}

TEST(ResultsJson, StreamedFileHasTheRunBlockToo) {
  const RunProvenance given = testing::make_sample_run();
  const ScanResult scan = testing::make_sample_scan();
  const auto file = std::filesystem::temp_directory_path() /
                    ("relayaudit-run-" + std::to_string(::getpid()) + ".json");
  ASSERT_EQ(write_results_file(file, scan, &given), std::nullopt);
  std::ifstream in(file);
  const json streamed = json::parse(in);
  std::filesystem::remove(file);
  EXPECT_EQ(streamed, results_to_json(scan, &given));
}

TEST(ResultsJson, EndpointAndTestFields) {
  const json document = results_to_json(testing::make_sample_scan());
  const json& open = endpoint_named(document, "192.0.2.1:25");
  EXPECT_EQ(open.at("address"), "192.0.2.1");
  EXPECT_EQ(open.at("port"), 25);
  EXPECT_EQ(open.at("ip_version"), 4);
  EXPECT_EQ(open.at("host_name"), "mx1.example.com");
  EXPECT_EQ(open.at("verdict"), "open-relay");
  EXPECT_EQ(open.at("status"), "ok");
  EXPECT_FALSE(open.contains("error"));
  EXPECT_EQ(open.at("ehlo").at("pipelining"), true);
  EXPECT_EQ(open.at("ehlo").at("used_helo"), false);
  EXPECT_EQ(open.at("ehlo").at("server_domain"), "mx1.example.com");
  EXPECT_EQ(open.at("ehlo").at("reply").at("code"), 250);

  const json& relay = open.at("tests").at(0);
  EXPECT_EQ(relay.at("id"), "relay-external-sender");
  for (const char* key : {"title", "kind", "trick", "tags", "severity", "expect", "transcript"}) {
    EXPECT_FALSE(relay.contains(key)) << key << " is the script's, or the endpoint's";
  }
  EXPECT_EQ(relay.at("outcome"), "accepted");
  EXPECT_EQ(relay.at("stage"), "rcpt");
  EXPECT_EQ(relay.at("verdict"), "fail");
  EXPECT_EQ(relay.at("reply").at("code"), 250);
  EXPECT_EQ(relay.at("reply").at("enhanced"), "2.1.5");
  EXPECT_EQ(relay.at("rcpt_to"), json({"victim@elsewhere.example"}));
  EXPECT_TRUE(relay.contains("detail"));
  const json& control = open.at("tests").at(1);
  EXPECT_EQ(control.at("reply").at("enhanced"), nullptr);
  EXPECT_FALSE(control.contains("detail"));
  // Lines only the tests hold join the endpoint transcript once: the control's RCPT line, the
  // same as the relay test's (session, time, text), is shared; its own reply follows.
  EXPECT_EQ(control.at("lines"), json::parse("[[2, 1], [4, 1]]"));
  EXPECT_EQ(open.at("transcript").at(4), json({110, 1, "S", "250 2.1.5 Ok"}));
  EXPECT_EQ(open.at("transcript").size(), 5u);
  EXPECT_EQ(open.at("transcript").at(0).at(2), "*");
  EXPECT_EQ(open.at("pacing").at("error_limit"), nullptr);
  EXPECT_EQ(open.at("pacing").at("connection_limit_seen"), false);

  const json& down = endpoint_named(document, "[2001:db8::25]:25");
  EXPECT_EQ(down.at("ip_version"), 6);
  EXPECT_EQ(down.at("host_name"), nullptr);
  EXPECT_EQ(down.at("banner"), nullptr);
  EXPECT_EQ(down.at("ehlo"), nullptr);
  EXPECT_EQ(down.at("status"), "connection-refused");
  EXPECT_EQ(down.at("error"), "connection refused");
  EXPECT_TRUE(down.at("tests").empty());
}

TEST(ResultsJson, GreetingWithoutEhloHasNullEhlo) {
  ScanResult scan;
  EndpointResult blocked = testing::make_endpoint("192.0.2.9", EndpointVerdict::inconclusive);
  blocked.greeting = Greeting{};
  blocked.greeting->banner.code = 554;
  blocked.greeting->banner.lines = {"554 go away"};
  scan.endpoints.push_back(blocked);
  const json document = results_to_json(scan);
  const json& endpoint = document.at("endpoints").at(0);
  EXPECT_EQ(endpoint.at("banner").at("code"), 554);
  EXPECT_EQ(endpoint.at("ehlo"), nullptr);
}

TEST(ResultsJson, EmptyScanAndStringOutput) {
  const json document = results_to_json(ScanResult{});
  EXPECT_EQ(document.at("summary").at("verdict"), "closed");
  EXPECT_TRUE(document.at("endpoints").empty());
  EXPECT_TRUE(document.at("options").is_object());
  const std::string text = results_to_string(document);
  ASSERT_FALSE(text.empty());
  EXPECT_EQ(text.back(), '\n');
  EXPECT_EQ(json::parse(text), document);
}

TEST(ResultsJson, StringOutputSurvivesAStringThatSkippedEscaping) {
  // The replacing handler is the production safety net: it must not throw.
  const json raw = {{"line", "\xff"}};
  EXPECT_THROW((void)raw.dump(-1, ' ', false, json::error_handler_t::strict), json::type_error);
  std::string text;
  EXPECT_NO_THROW(text = results_to_string(raw));
  json parsed;
  EXPECT_NO_THROW(parsed = json::parse(text));
  EXPECT_TRUE(parsed.at("line").is_string());
}

TEST(FormatTimestamp, IsRfc3339UtcWithMilliseconds) {
  using namespace std::chrono;
  EXPECT_EQ(format_timestamp(system_clock::time_point{}), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(format_timestamp(system_clock::time_point{milliseconds{951782400007}}),
            "2000-02-29T00:00:00.007Z");
}

}  // namespace
}  // namespace relayaudit
