// ReplyParser: every TCP split of real replies, and hostile input that must stay bounded.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "smtp/reply_parser.hpp"

namespace relayaudit {
namespace {

// A Postfix EHLO reply, a multi-line postscreen banner, and a relay refusal, back to back.
const std::string kStream =
    "220-mx.example.test ESMTP Postfix\r\n"
    "220 mx.example.test ESMTP Postfix (Debian/GNU)\r\n"
    "250-mx.example.test\r\n"
    "250-PIPELINING\r\n"
    "250-SIZE 10240000\r\n"
    "250-VRFY\r\n"
    "250-ETRN\r\n"
    "250-STARTTLS\r\n"
    "250-ENHANCEDSTATUSCODES\r\n"
    "250-8BITMIME\r\n"
    "250-DSN\r\n"
    "250 CHUNKING\r\n"
    "250 2.1.0 Ok\r\n"
    "554 5.7.1 <probe@relayaudit-external.invalid>: Relay access denied\r\n"
    "221 2.0.0 Bye\r\n";

void expect_stream_replies(const std::vector<Reply>& replies) {
  ASSERT_EQ(replies.size(), 5u);
  EXPECT_EQ(replies[0].code, 220);
  ASSERT_EQ(replies[0].lines.size(), 2u);
  EXPECT_EQ(replies[0].lines[0], "220-mx.example.test ESMTP Postfix");
  EXPECT_EQ(replies[1].code, 250);
  ASSERT_EQ(replies[1].lines.size(), 10u);
  EXPECT_EQ(replies[1].line_text(1), "PIPELINING");
  EXPECT_EQ(replies[1].line_text(9), "CHUNKING");
  EXPECT_EQ(replies[2].enhanced, "2.1.0");
  EXPECT_EQ(replies[3].code, 554);
  EXPECT_EQ(replies[3].enhanced, "5.7.1");
  EXPECT_EQ(replies[3].text(), "5.7.1 <probe@relayaudit-external.invalid>: Relay access denied");
  EXPECT_EQ(replies[4].code, 221);
}

TEST(ReplyParser, WholeStreamAtOnce) {
  ReplyParser parser;
  std::vector<Reply> replies;
  ASSERT_TRUE(parser.feed(kStream, replies));
  expect_stream_replies(replies);
  EXPECT_FALSE(parser.mid_reply());
}

TEST(ReplyParser, EverySplitIntoTwoChunks) {
  for (std::size_t cut = 0; cut <= kStream.size(); ++cut) {
    ReplyParser parser;
    std::vector<Reply> replies;
    ASSERT_TRUE(parser.feed(std::string_view(kStream).substr(0, cut), replies)) << cut;
    ASSERT_TRUE(parser.feed(std::string_view(kStream).substr(cut), replies)) << cut;
    SCOPED_TRACE("cut at " + std::to_string(cut));
    expect_stream_replies(replies);
  }
}

TEST(ReplyParser, EverySplitIntoThreeChunks) {
  const std::string_view stream(kStream);
  for (std::size_t a = 0; a <= stream.size(); a += 3) {
    for (std::size_t b = a; b <= stream.size(); b += 7) {
      ReplyParser parser;
      std::vector<Reply> replies;
      ASSERT_TRUE(parser.feed(stream.substr(0, a), replies));
      ASSERT_TRUE(parser.feed(stream.substr(a, b - a), replies));
      ASSERT_TRUE(parser.feed(stream.substr(b), replies));
      ASSERT_EQ(replies.size(), 5u) << a << "," << b;
      EXPECT_EQ(replies[1].lines.size(), 10u);
    }
  }
}

TEST(ReplyParser, OneByteAtATime) {
  ReplyParser parser;
  std::vector<Reply> replies;
  for (char c : kStream) ASSERT_TRUE(parser.feed(std::string_view(&c, 1), replies));
  expect_stream_replies(replies);
}

TEST(ReplyParser, BareLineFeedAndCodeOnlyLines) {
  ReplyParser parser;
  std::vector<Reply> replies;
  ASSERT_TRUE(parser.feed("250-first\n250\n354\r\n", replies));
  ASSERT_EQ(replies.size(), 2u);
  EXPECT_EQ(replies[0].lines.size(), 2u);
  EXPECT_EQ(replies[1].code, 354);
  EXPECT_EQ(replies[1].text(), "");
}

TEST(ReplyParser, EnhancedCodeMustMatchClass) {
  EXPECT_EQ(parse_enhanced_code(550, "5.1.1 User unknown"), "5.1.1");
  EXPECT_EQ(parse_enhanced_code(550, "4.1.1 wrong class"), "");
  EXPECT_EQ(parse_enhanced_code(250, "2.0.0"), "2.0.0");
  EXPECT_EQ(parse_enhanced_code(250, "2.0.0x"), "");
  EXPECT_EQ(parse_enhanced_code(250, "2.1234.0 too long"), "");
  EXPECT_EQ(parse_enhanced_code(250, "Ok"), "");
}

TEST(ReplyParser, EndlessContinuationLinesAreBounded) {
  ReplyLimits limits;
  limits.max_lines = 100;
  ReplyParser parser(limits);
  std::vector<Reply> replies;
  bool ok = true;
  int fed = 0;
  while (ok && fed < 100000) {
    ok = parser.feed("220-still greeting\r\n", replies);
    ++fed;
  }
  EXPECT_FALSE(ok);
  EXPECT_EQ(parser.error(), ReplyParser::Error::too_many_lines);
  EXPECT_LE(fed, 101);
  EXPECT_TRUE(replies.empty());
}

TEST(ReplyParser, ReplyByteBudgetIsBounded) {
  ReplyLimits limits;
  limits.max_reply_bytes = 1000;
  ReplyParser parser(limits);
  std::vector<Reply> replies;
  const std::string line = "250-" + std::string(300, 'x') + "\r\n";
  bool ok = true;
  for (int i = 0; i < 10 && ok; ++i) ok = parser.feed(line, replies);
  EXPECT_FALSE(ok);
  EXPECT_EQ(parser.error(), ReplyParser::Error::reply_too_large);
}

TEST(ReplyParser, HugeLineFailsBeforeBufferingIt) {
  ReplyParser parser;
  std::vector<Reply> replies;
  const std::string chunk(64 * 1024, 'A');
  EXPECT_TRUE(parser.feed("220 ", replies));
  EXPECT_FALSE(parser.feed(chunk, replies));
  EXPECT_EQ(parser.error(), ReplyParser::Error::line_too_long);
  EXPECT_LE(parser.partial_line().size(), 4096u);
  // Sticky: later input is ignored, not parsed from the middle of the huge line.
  EXPECT_FALSE(parser.feed("\r\n250 Ok\r\n", replies));
  EXPECT_TRUE(replies.empty());
}

TEST(ReplyParser, BytesThatAreNotTextAreKeptVerbatim) {
  ReplyParser parser;
  std::vector<Reply> replies;
  const std::string banner = std::string("220 mx \xff\xfe\x01 <script>\xc3\x28\r\n");
  ASSERT_TRUE(parser.feed(banner, replies));
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_EQ(replies[0].lines[0], banner.substr(0, banner.size() - 2));
}

TEST(ReplyParser, GarbageIsAProtocolError) {
  for (const char* garbage : {"HTTP/1.1 400 Bad Request\r\n", "\xff\xfe\r\n", "22\r\n",
                              "2200 x\r\n", "220_x\r\n", "620 x\r\n"}) {
    ReplyParser parser;
    std::vector<Reply> replies;
    EXPECT_FALSE(parser.feed(garbage, replies)) << garbage;
    EXPECT_EQ(parser.error(), ReplyParser::Error::malformed_line) << garbage;
  }
}

TEST(ReplyParser, ContinuationWithAnotherCodeIsAProtocolError) {
  ReplyParser parser;
  std::vector<Reply> replies;
  EXPECT_FALSE(parser.feed("250-a\r\n550 b\r\n", replies));
  EXPECT_EQ(parser.error(), ReplyParser::Error::code_mismatch);
}

TEST(ReplyParser, CloseWithoutCrlfLeavesAPartialReply) {
  ReplyParser parser;
  std::vector<Reply> replies;
  ASSERT_TRUE(parser.feed("220 partial banner", replies));
  EXPECT_TRUE(replies.empty());
  EXPECT_TRUE(parser.mid_reply());
  EXPECT_EQ(parser.partial_line(), "220 partial banner");
  ReplyParser multi;
  ASSERT_TRUE(multi.feed("220-first line\r\n", replies));
  EXPECT_TRUE(multi.mid_reply());
  EXPECT_EQ(multi.pending_lines().size(), 1u);
}

}  // namespace
}  // namespace relayaudit
