// Builds the ScanResult (and the run block) the report and browser tests render, and runs the
// real lab scan several of them render.
#include "support/sample_scan.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <stdexcept>

#include "support/process.hpp"

namespace relayaudit::testing {

TestResult make_test(std::string id, Expectation expect, Outcome outcome, int code,
                     std::string reply_line) {
  TestResult test;
  test.id = std::move(id);
  test.title = "Test " + test.id;
  test.severity = "high";
  test.kind = expect == Expectation::reject ? ScriptKind::relay : ScriptKind::control;
  test.expect = expect;
  test.ehlo = "relayaudit.invalid";
  test.mail_from = "audit@external.example";
  test.rcpt_to = {"victim@elsewhere.example"};
  test.outcome = outcome;
  test.stage = Stage::rcpt;
  test.verdict = judge_test(expect, outcome);
  test.attempts = 1;
  if (code != 0) {
    Reply reply;
    reply.code = code;
    reply.lines = {std::to_string(code) + " " + reply_line};
    test.reply = reply;
  }
  test.transcript = {
      {100, Direction::client, "RCPT TO:<victim@elsewhere.example>", 1},
      {110, Direction::server, std::to_string(code) + " " + reply_line, 1},
  };
  return test;
}

EndpointResult make_endpoint(std::string address, EndpointVerdict verdict) {
  EndpointResult result;
  result.endpoint.address = std::move(address);
  result.endpoint.port = 25;
  result.endpoint.targets = {result.endpoint.address};
  result.verdict = verdict;
  result.verdict_reason = std::string(to_string(verdict));
  result.connections = 1;
  result.round_trips = 4;
  result.started_ms = 5;
  result.finished_ms = 120;
  return result;
}

ScanResult make_sample_scan() {
  ScanResult scan;
  scan.started = std::chrono::system_clock::time_point{std::chrono::milliseconds{1714564800123}};
  scan.finished = scan.started + std::chrono::milliseconds{2500};
  scan.options = {{"ehlo_name", "relayaudit.invalid"},
                  {"timeout_ms", 10000},
                  {std::string("user\xc0\xaf"), std::string("value\xff")}};
  scan.scripts = {"relay-external-sender", "control-postmaster"};

  EndpointResult open = make_endpoint("192.0.2.1", EndpointVerdict::open_relay);
  open.endpoint.host_name = "mx1.example.com";
  open.verdict_reason = "relay-external-sender was accepted";
  Greeting greeting;
  greeting.banner.code = 220;
  greeting.banner.lines = {std::string("220 mx1.example.com ESMTP ") + kInvalidBytes + kAnsiEscape +
                           "owned\\here"};
  greeting.ehlo.code = 250;
  greeting.ehlo.lines = {"250-mx1.example.com", std::string("250-X-EVIL ") + kInvalidBytes,
                         "250 PIPELINING"};
  greeting.server_domain = "mx1.example.com";
  greeting.capabilities = {std::string("X-EVIL ") + kInvalidBytes, "PIPELINING"};
  greeting.pipelining = true;
  open.greeting = greeting;
  open.tests.push_back(make_test("relay-external-sender", Expectation::reject, Outcome::accepted,
                                 250, std::string("2.1.5 Ok ") + kInvalidBytes + kAnsiEscape));
  open.tests.back().reply->enhanced = "2.1.5";
  open.tests.back().detail = "the server accepted a recipient in a foreign domain";
  open.tests.push_back(
      make_test("control-postmaster", Expectation::accept, Outcome::accepted, 250, "2.1.5 Ok"));
  open.transcript = {{0, Direction::note, "connected", 1},
                     {20, Direction::server, greeting.banner.lines[0], 1}};

  EndpointResult closed = make_endpoint("192.0.2.2", EndpointVerdict::closed);
  closed.tests.push_back(make_test("relay-external-sender", Expectation::reject, Outcome::rejected,
                                   554, "5.7.1 Relay access denied"));

  EndpointResult inconclusive = make_endpoint("192.0.2.3", EndpointVerdict::inconclusive);
  inconclusive.tests.push_back(make_test("relay-external-sender", Expectation::reject,
                                         Outcome::deferred, 450, "4.7.1 Greylisted"));

  EndpointResult unreachable = make_endpoint("2001:db8::25", EndpointVerdict::unreachable);
  unreachable.endpoint.ipv6 = true;
  unreachable.status = Status::connection_refused;
  unreachable.error = "connection refused";
  unreachable.round_trips = 0;

  // Scan order deliberately puts the open relay last so sorting is visible.
  scan.endpoints = {closed, unreachable, inconclusive, open};
  scan.unresolved.push_back(
      {"nxdomain.example", "targets.txt:3", Status::resolve_failed, "no such domain"});
  return scan;
}

RunProvenance make_sample_run() {
  RunProvenance run;
  run.user = "audit ops";
  run.uid = 1000;
  run.host = "scanner-01.example.com";
  run.working_directory = std::string("/home/audit/") + kInvalidBytes;
  run.command_line = {"relayaudit", "scan",        "-f",
                      "fleet.txt",  "--ehlo-name", std::string("it's ") + kInvalidBytes};
  run.scripts = {
      {"control-postmaster", "builtin:core/control-postmaster.json", std::string(64, 'a')},
      {"relay-external-sender", "/etc/relayaudit/scripts/relay-external-sender.json",
       std::string(64, 'b')},
  };
  return run;
}

void add_test_line(nlohmann::json& endpoint, std::size_t test, nlohmann::json line) {
  nlohmann::json& transcript = endpoint["transcript"];
  transcript.push_back(std::move(line));
  endpoint["tests"][test]["lines"].push_back(nlohmann::json::array({transcript.size() - 1, 1}));
}

nlohmann::json& open_relay_endpoint(nlohmann::json& document) {
  for (auto& endpoint : document["endpoints"]) {
    if (endpoint["verdict"] == "open-relay") return endpoint;
  }
  throw std::logic_error("the sample has an open relay");
}

nlohmann::json scan_lab(const std::string& binary, const std::filesystem::path& file) {
  const auto run =
      run_command({binary, "scan", "--lab", "-q", "-o", file.string()}, std::chrono::seconds(100));
  if (run.exit_code != 1) {
    ADD_FAILURE() << "the lab has open relays, exit 1 expected: " << run.describe() << "\n"
                  << run.err;
    return nlohmann::json::object();
  }
  return nlohmann::json::parse(read_file(file.string()));
}

}  // namespace relayaudit::testing
