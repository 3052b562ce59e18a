// escape_invalid_utf8 and terminal_safe on valid, invalid and hostile input.
#include "reports/safe_text.hpp"

#include <gtest/gtest.h>

namespace relayaudit {
namespace {

std::string escaped(std::string_view bytes, bool expect_changed) {
  bool changed = !expect_changed;
  std::string out = escape_invalid_utf8(bytes, &changed);
  EXPECT_EQ(changed, expect_changed) << out;
  return out;
}

TEST(EscapeInvalidUtf8, LeavesAsciiAndValidUtf8Unchanged) {
  EXPECT_EQ(escaped("", false), "");
  EXPECT_EQ(escaped("250 2.1.5 Ok", false), "250 2.1.5 Ok");
  const std::string multilingual = "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x93\xa7 \xf4\x8f\xbf\xbf";
  EXPECT_EQ(escaped(multilingual, false), multilingual);
  // Controls are valid UTF-8; JSON escapes them itself.
  EXPECT_EQ(escaped("a\x1b[31mb\t", false), "a\x1b[31mb\t");
}

TEST(EscapeInvalidUtf8, KeepsBackslashesWhenNothingElseIsEscaped) {
  EXPECT_EQ(escaped("C:\\path\\x41", false), "C:\\path\\x41");
}

TEST(EscapeInvalidUtf8, EscapesInvalidBytes) {
  EXPECT_EQ(escaped("\xff\xfe", true), "\\xff\\xfe");
  EXPECT_EQ(escaped("ok \x80 stray", true), "ok \\x80 stray");
  EXPECT_EQ(escaped("\xf5\x80\x80\x80", true), "\\xf5\\x80\\x80\\x80");
}

TEST(EscapeInvalidUtf8, EscapesTruncatedSequences) {
  EXPECT_EQ(escaped("abc\xe2\x82", true), "abc\\xe2\\x82");
  EXPECT_EQ(escaped("\xf0\x9f\x93", true), "\\xf0\\x9f\\x93");
  EXPECT_EQ(escaped("\xc3", true), "\\xc3");
  // A lead byte followed by a non-continuation: only the lead byte is bad.
  EXPECT_EQ(escaped("\xc3(", true), "\\xc3(");
}

TEST(EscapeInvalidUtf8, RejectsOverlongForms) {
  EXPECT_EQ(escaped("\xc0\xaf", true), "\\xc0\\xaf");
  EXPECT_EQ(escaped("\xc1\xbf", true), "\\xc1\\xbf");
  EXPECT_EQ(escaped("\xe0\x80\xaf", true), "\\xe0\\x80\\xaf");
  EXPECT_EQ(escaped("\xf0\x80\x80\xaf", true), "\\xf0\\x80\\x80\\xaf");
}

TEST(EscapeInvalidUtf8, RejectsSurrogatesAndCodePointsAboveUnicode) {
  EXPECT_EQ(escaped("\xed\xa0\x80", true), "\\xed\\xa0\\x80");
  EXPECT_EQ(escaped("\xed\xbf\xbf", true), "\\xed\\xbf\\xbf");
  EXPECT_EQ(escaped("\xed\x9f\xbf", false), "\xed\x9f\xbf");  // U+D7FF is fine
  EXPECT_EQ(escaped("\xf4\x90\x80\x80", true), "\\xf4\\x90\\x80\\x80");
}

TEST(EscapeInvalidUtf8, DoublesBackslashesOnceSomethingIsEscaped) {
  // Without doubling, the literal text "\xff" and the byte 0xff would look the same.
  EXPECT_EQ(escaped("\\xff \xff", true), "\\\\xff \\xff");
  EXPECT_EQ(escaped("a\\b\xc0", true), "a\\\\b\\xc0");
}

TEST(EscapeInvalidUtf8, AcceptsANullChangedPointerAndEmbeddedNul) {
  EXPECT_EQ(escape_invalid_utf8(std::string_view("a\0b", 3), nullptr), std::string("a\0b", 3));
  EXPECT_EQ(escape_invalid_utf8("\xff"), "\\xff");
}

TEST(EscapeInvalidUtf8, NeverThrowsOnAnyByte) {
  std::string every_byte;
  for (int i = 0; i < 256; ++i) every_byte.push_back(static_cast<char>(i));
  std::string out;
  EXPECT_NO_THROW(out = escape_invalid_utf8(every_byte));
  // The output is itself valid UTF-8, so escaping it again changes nothing.
  bool changed = true;
  EXPECT_EQ(escape_invalid_utf8(out, &changed), out);
  EXPECT_FALSE(changed);
}

TEST(TerminalSafe, EscapesControlsAndBidiOverrides) {
  EXPECT_EQ(terminal_safe("220 ok"), "220 ok");
  EXPECT_EQ(terminal_safe("a\x1b[2Jb"), "a\\x1b[2Jb");
  EXPECT_EQ(terminal_safe("a\rb\tc\x7f"), "a\\x0db\\x09c\\x7f");
  EXPECT_EQ(terminal_safe("\xc2\x9b"
                          "31m"),
            "\\xc2\\x9b31m");                                       // C1 CSI
  EXPECT_EQ(terminal_safe("x\xe2\x80\xaey"), "x\\xe2\\x80\\xaey");  // RIGHT-TO-LEFT OVERRIDE
  EXPECT_EQ(terminal_safe("caf\xc3\xa9"), "caf\xc3\xa9");
  EXPECT_EQ(terminal_safe("\\ \x1b"), "\\\\ \\x1b");
  EXPECT_EQ(terminal_safe("\xff"), "\\xff");
}

}  // namespace
}  // namespace relayaudit
