// The endpoint writer writes text straight, without a tree: it must be exactly what nlohmann's
// parse and dump give back (sorted members, the same escapes), for every field an endpoint has.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "reports/endpoint_json.hpp"
#include "reports/json_writer.hpp"
#include "reports/safe_text.hpp"
#include "support/sample_scan.hpp"

namespace relayaudit {
namespace {

using nlohmann::json;

std::string dumped(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

void expect_round_trip(const EndpointResult& result) {
  const std::string text = endpoint_text(result);
  const json parsed = json::parse(text);  // throws, failing the test, on a syntax error
  EXPECT_EQ(dumped(parsed), text) << "member order or escapes differ from nlohmann's";
}

// Every optional member set, with server bytes that need escapes in every text field.
EndpointResult endpoint_with_everything() {
  EndpointResult result = testing::make_sample_scan().endpoints.front();
  const std::string hostile = std::string("q\"b\\s\b\f\n\r\t\x01\x1f\x7f") +
                              testing::kInvalidBytes + testing::kAnsiEscape + "\xc3\xa9";
  result.error = hostile;
  result.endpoint.mail_domains = {"corp.example", hostile};
  result.endpoint.declared_mail_domain = hostile;
  result.domains_unchecked = 2;
  result.evidence = RelayEvidence{"address-form", true, hostile};
  result.findings.push_back(Finding{"catch-all", "warning", hostile, "corp.example"});
  result.findings.push_back(Finding{"plain", "info", "no domain", ""});
  result.pacing.error_limit = 3;
  result.pacing.syntax_error_limit = 2;
  result.pacing.tarpit_ms = 5000;
  result.pacing.greet_wait_ms = 2004;
  result.pacing.connection_limit_seen = true;
  result.dnsbl.push_back(DnsblResult{"127.0.0.2",
                                     "zen.example",
                                     "2.0.0.127.zen.example",
                                     DnsblStatus::listed,
                                     {"127.0.0.2"},
                                     hostile,
                                     "",
                                     {}});
  result.starttls_offered = true;
  result.tls_error = hostile;
  result.starttls_policy = "offered";
  TestResult& test = result.tests.front();
  test.detail = hostile;
  test.mail_domain = "corp.example";
  test.refusal = "relay-denied";
  test.data_reply = Reply{354, "", {"354 go " + hostile}};
  test.refused_senders.push_back(RefusedSender{hostile, Reply{553, "5.1.8", {hostile}}});
  test.over_tls = true;
  TranscriptLine line;
  line.at_ms = 1234567890123;
  line.session = 7;
  line.direction = Direction::server;
  line.line = hostile;
  result.transcript.push_back(line);
  return result;
}

TEST(EndpointText, EveryEndpointOfTheSampleScanIsWhatParseAndDumpGiveBack) {
  for (const EndpointResult& endpoint : testing::make_sample_scan().endpoints) {
    SCOPED_TRACE(endpoint.endpoint.key());
    expect_round_trip(endpoint);
  }
}

TEST(EndpointText, EveryOptionalMemberAndEveryEscapeIsWhatParseAndDumpGiveBack) {
  const EndpointResult result = endpoint_with_everything();
  expect_round_trip(result);
  const json parsed = json::parse(endpoint_text(result));
  for (const char* member : {"error", "mail_domain_declared", "mail_domains", "domains_unchecked",
                             "evidence", "findings", "dnsbl", "tls", "pacing"}) {
    EXPECT_TRUE(parsed.contains(member)) << member;
  }
  const json& test = parsed["tests"][0];
  for (const char* member :
       {"detail", "mail_domain", "refusal", "data_reply", "refused_senders", "reply"}) {
    EXPECT_TRUE(test.contains(member)) << member;
  }
  EXPECT_EQ(test["path"], "tls");
  EXPECT_EQ(parsed["pacing"]["tarpit_ms"], 5000);
  // The hostile line comes back as escape_invalid_utf8 made it, and says it was changed.
  const json& last = parsed["transcript"].back();
  EXPECT_EQ(last[0], 1234567890123);
  EXPECT_EQ(last[1], 7);
  EXPECT_EQ(last[3].get<std::string>(), escape_invalid_utf8(result.transcript.back().line));
  EXPECT_EQ(last.size(), 5u);
  EXPECT_EQ(last[4], true);
}

TEST(EndpointText, TheTreeIsTheParsedText) {
  const EndpointResult result = endpoint_with_everything();
  EXPECT_EQ(endpoint_line(endpoint_to_json(result)), endpoint_text(result));
}

TEST(JsonWriter, NestedContainersGetCommasOnlyBetweenValues) {
  std::string text;
  JsonWriter out(text);
  out.begin_object().key("a").begin_array().end_array().key("b").begin_array();
  out.number(-1).begin_object().end_object().null().boolean(false).string("").raw("{\"x\":1}");
  out.end_array().key("c").number(0).end_object();
  EXPECT_EQ(text, R"({"a":[],"b":[-1,{},null,false,"",{"x":1}],"c":0})");
  EXPECT_EQ(dumped(json::parse(text)), text);
}

TEST(JsonWriter, EveryControlCharacterIsEscapedAsNlohmannDoes) {
  for (int byte = 0; byte < 0x80; ++byte) {
    const std::string one(1, static_cast<char>(byte));
    std::string text;
    append_json_string(text, one);
    EXPECT_EQ(text, json(one).dump()) << "byte " << byte;
  }
}

}  // namespace
}  // namespace relayaudit
