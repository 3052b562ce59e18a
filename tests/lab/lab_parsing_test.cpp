// Unit tests of the lab's transport-free parts: paths, mailboxes, lines, output queue, profiles.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "lab/lab_server.hpp"
#include "lab/line_reader.hpp"
#include "lab/mail_address.hpp"
#include "lab/reply_queue.hpp"
#include "lab/wire_delay.hpp"

namespace relayaudit {
namespace {

TEST(LabParsing, EnvelopePaths) {
  auto plain = parse_envelope_path("<a@example.org> SIZE=100 BODY=8BITMIME");
  ASSERT_TRUE(plain);
  EXPECT_EQ(plain->address, "a@example.org");
  EXPECT_EQ(plain->params, "SIZE=100 BODY=8BITMIME");
  EXPECT_EQ(parse_envelope_path("<>")->address, "");
  EXPECT_EQ(parse_envelope_path(" <a@b>")->address, "a@b");
  EXPECT_EQ(parse_envelope_path("a@b")->address, "a@b");
  EXPECT_EQ(parse_envelope_path("<\"a>b\"@x>")->address, "\"a>b\"@x");
  EXPECT_FALSE(parse_envelope_path(""));
  EXPECT_FALSE(parse_envelope_path("<a@b"));
  EXPECT_FALSE(parse_envelope_path("<a@b>x"));
  EXPECT_FALSE(parse_envelope_path("<a b@c>"));
  EXPECT_FALSE(parse_envelope_path("<a\x01@c>"));
}

TEST(LabParsing, MailboxSplitsAtTheLastAt) {
  MailboxParts parts = split_mailbox("a@b@c");
  EXPECT_EQ(parts.local, "a@b");
  EXPECT_EQ(parts.domain, "c");
  EXPECT_TRUE(parts.has_at);
  EXPECT_FALSE(split_mailbox("postmaster").has_at);
  EXPECT_TRUE(split_mailbox("@hop:u@x").source_route);
  EXPECT_TRUE(split_mailbox("u@").domain.empty());
  EXPECT_TRUE(iequals("[IPv6:::1]", "[ipv6:::1]"));
}

// One routed address as the holes read it.
struct Routed {
  RoutingForm form;
  bool has_at;
  const char* domain;
  const char* user;
  const char* destination;
};

void expect_routed(std::string_view address, const Routed& expected) {
  SCOPED_TRACE(std::string(address));
  RoutedAddress routed = parse_routed_address(address);
  EXPECT_EQ(routed.form, expected.form);
  EXPECT_EQ(routed.has_at, expected.has_at);
  EXPECT_EQ(routed.domain, expected.domain);
  EXPECT_EQ(routed.user, expected.user);
  EXPECT_EQ(routed.destination, expected.destination);
}

TEST(LabParsing, RoutingFormsOfEveryRecipientTrick) {
  using enum RoutingForm;
  expect_routed("u@x.example", {plain, true, "x.example", "u", ""});
  expect_routed("postmaster", {plain, false, "", "postmaster", ""});
  expect_routed("u%x.example@[127.0.0.1]", {percent, true, "[127.0.0.1]", "u", "x.example"});
  expect_routed("u%x.example@h.lab", {percent, true, "h.lab", "u", "x.example"});
  expect_routed("u%x.example@", {percent, true, "", "u", "x.example"});
  expect_routed("\"u@x.example\"", {quoted_at, false, "", "u", "x.example"});
  expect_routed("\"u@x.example\"@[IPv6:::1]", {quoted_at, true, "[IPv6:::1]", "u", "x.example"});
  expect_routed("\"u%x.example\"", {quoted_percent, false, "", "u", "x.example"});
  expect_routed("u@x.example@[127.0.0.1]", {double_at, true, "[127.0.0.1]", "u", "x.example"});
  expect_routed("u@x.example@", {double_at, true, "", "u", "x.example"});
  expect_routed("@[127.0.0.1]:u@x.example", {source_route, true, "[127.0.0.1]", "u", "x.example"});
  expect_routed("@[IPv6:::1],@b.example:u@x.example",
                {source_route, true, "[IPv6:::1]", "u", "x.example"});
  expect_routed("x.example!u", {bang, false, "", "u", "x.example"});
  expect_routed("x.example!u@h.lab", {bang, true, "h.lab", "u", "x.example"});
  expect_routed("\"a b\"@h.lab", {plain, true, "h.lab", "a b", ""});
  // Nested or broken routing is read by no hole.
  expect_routed("u%a%b@h.lab", {unusual, true, "h.lab", "", ""});
  expect_routed("b!u%a@h.lab", {unusual, true, "h.lab", "", ""});
  expect_routed("%x.example@h.lab", {unusual, true, "h.lab", "", ""});
  expect_routed("\"u@x\"y@h.lab", {unusual, true, "h.lab", "", ""});
  expect_routed("@h.lab", {unusual, true, "", "", ""});
  expect_routed("@h.lab:u", {unusual, true, "h.lab", "", ""});
  expect_routed("\"unclosed@h.lab", {unusual, false, "", "", ""});
}

TEST(LabParsing, LineReaderHandlesSplitsBareLfAndOverlongLines) {
  LineReader reader(8);
  std::vector<std::string> seen;
  auto collect = [&](LineReader::Event event, std::string_view line) {
    seen.push_back(event == LineReader::Event::line ? std::string(line) : "<overlong>");
    return true;
  };
  reader.feed("NO", collect);
  reader.feed("OP\r\nRSET\nQU", collect);
  reader.feed("IT\r\n", collect);
  reader.feed("0123456789abcdef", collect);  // reported before its LF arrives
  reader.feed("ghij\r\n12345678\r\n123456789\r\n", collect);
  std::vector<std::string> expected{"NOOP", "RSET", "QUIT", "<overlong>", "12345678", "<overlong>"};
  EXPECT_EQ(seen, expected);
}

TEST(LabParsing, LineReaderStopsWhenAsked) {
  LineReader reader(100);
  int calls = 0;
  reader.feed("QUIT\r\nNOOP\r\n", [&](LineReader::Event, std::string_view) { return ++calls < 1; });
  EXPECT_EQ(calls, 1);
}

TEST(LabParsing, ReplyQueueKeepsOrderAddsDelaysAndStaysBounded) {
  ReplyQueue queue(10);
  EXPECT_TRUE(queue.push("a", 100, Millis{0}, 0));
  EXPECT_TRUE(queue.push("b", 100, Millis{50}, 0, true));
  EXPECT_TRUE(queue.push("c", 100, Millis{50}, 0));  // after b, not beside it
  EXPECT_FALSE(queue.push("0123456789", 100, Millis{0}, 0));
  EXPECT_FALSE(queue.push("xyz", 100, Millis{0}, 8));  // 3 queued + 8 in flight + 3 > 10
  EXPECT_EQ(queue.take_due(100).bytes, "a");
  EXPECT_EQ(queue.next_ready_ms(), 150u);
  ReplyQueue::Due due = queue.take_due(149);
  EXPECT_TRUE(due.bytes.empty());
  due = queue.take_due(150);
  EXPECT_EQ(due.bytes, "b");
  EXPECT_TRUE(due.final_greeting);
  EXPECT_EQ(queue.take_due(400).bytes, "c");
  EXPECT_TRUE(queue.empty());
  EXPECT_FALSE(queue.next_ready_ms());
}

TEST(LabParsing, WireDelayKeepsOrderAndDelaysEachWriteByTheLatencyOnly) {
  WireDelay wire(Millis{20});
  EXPECT_TRUE(wire.active());
  EXPECT_FALSE(WireDelay(Millis{0}).active());
  wire.push("a", 100);
  wire.push("b", 100);  // beside a, not after it: a network delay, not a slow server
  wire.push("c", 105);
  EXPECT_EQ(wire.bytes(), 3u);
  EXPECT_EQ(wire.next_due_ms(), 121u);  // at least 20 ms after a write stamped 100 (100.999)
  EXPECT_EQ(wire.take_due(120), "");
  EXPECT_EQ(wire.take_due(121), "ab");
  EXPECT_EQ(wire.next_due_ms(), 126u);
  EXPECT_EQ(wire.take_due(500), "c");
  EXPECT_EQ(wire.bytes(), 0u);
  EXPECT_FALSE(wire.next_due_ms());
}

TEST(LabProfileNames, RoundTripAndExpectedVerdicts) {
  ASSERT_EQ(all_lab_profiles().size(), 80u);
  for (LabProfile profile : all_lab_profiles()) {
    EXPECT_EQ(lab_profile_from_string(to_string(profile)), profile);
  }
  EXPECT_EQ(to_string(LabProfile::greylist_forever), "greylist-forever");
  EXPECT_FALSE(lab_profile_from_string("Closed"));
  EXPECT_EQ(expected_verdict(LabProfile::closed), "closed");
  EXPECT_EQ(expected_verdict(LabProfile::greylisting), "open-relay");
  EXPECT_EQ(expected_verdict(LabProfile::ehlo_reject), "open-relay");
  EXPECT_EQ(expected_verdict(LabProfile::starttls_required), "open-relay");
  EXPECT_EQ(expected_verdict(LabProfile::starttls_offered), "closed");
  EXPECT_EQ(expected_verdict(LabProfile::reject_banner), "unreachable");
  EXPECT_EQ(expected_verdict(LabProfile::truncated_close), "unreachable");
  EXPECT_EQ(expected_verdict(LabProfile::binary_reply), "closed");
  EXPECT_EQ(expected_verdict(LabProfile::sender_check), "closed");
  EXPECT_EQ(expected_verdict(LabProfile::hole_percent_hack_sender_check), "open-relay");
  EXPECT_EQ(to_string(LabProfile::hole_bang_path_ip), "hole-bang-path-ip");
  EXPECT_EQ(expected_verdict(LabProfile::double_banner), "inconclusive");
  EXPECT_EQ(expected_verdict(LabProfile::bulky_replies), "closed");
  EXPECT_EQ(to_string(LabProfile::swapped_rcpt_rset), "swapped-rcpt-rset");
  for (LabProfile pacing :
       {LabProfile::exchange_tarpit, LabProfile::postscreen, LabProfile::exim_syntax_limit,
        LabProfile::connection_limit, LabProfile::error_sleep}) {
    EXPECT_EQ(expected_verdict(pacing), "closed") << to_string(pacing);
    EXPECT_TRUE(expected_failing_scripts(pacing).empty()) << to_string(pacing);
  }
  EXPECT_EQ(lab_profile_from_string("exim-syntax-limit"), LabProfile::exim_syntax_limit);
  EXPECT_EQ(lab_profile_from_string("error-sleep"), LabProfile::error_sleep);
}

TEST(LabProfileNames, Fleets) {
  auto fleet = default_lab_fleet();
  ASSERT_EQ(fleet.size(), 12u);
  for (const auto& config : fleet) {
    // The demo fleet holds no server that only a timeout or a protocol error can end.
    for (LabProfile hostile : {LabProfile::silent, LabProfile::endless_reply, LabProfile::huge_line,
                               LabProfile::truncated_close}) {
      EXPECT_NE(config.profile, hostile) << to_string(config.profile);
    }
    EXPECT_EQ(config.bind_address, "127.0.0.1");
    EXPECT_EQ(config.port, 0);
  }
  auto bench = benchmark_lab_fleet(5);
  ASSERT_EQ(bench.size(), 5u);
  EXPECT_EQ(bench[0].profile, LabProfile::closed);
  EXPECT_EQ(bench[1].profile, LabProfile::open);
  EXPECT_EQ(bench[4].profile, LabProfile::closed);
}

}  // namespace
}  // namespace relayaudit
