// parse_json_input: untrusted JSON never throws, and every error says where it is.
#include "core/json_input.hpp"

#include <gtest/gtest.h>

namespace relayaudit {
namespace {

JsonInputError error_of(std::string_view text) {
  auto parsed = parse_json_input(text);
  EXPECT_TRUE(std::holds_alternative<JsonInputError>(parsed)) << text.substr(0, 60);
  return std::holds_alternative<JsonInputError>(parsed) ? std::get<JsonInputError>(parsed)
                                                        : JsonInputError{};
}

TEST(JsonInput, ValidJsonParses) {
  auto parsed = parse_json_input(R"({"a": [1, "x]", {"b": null}], "c": 1e300})");
  ASSERT_TRUE(std::holds_alternative<nlohmann::json>(parsed));
  EXPECT_EQ(std::get<nlohmann::json>(parsed)["a"][1], "x]");
}

TEST(JsonInput, NumbersOutOfRangeAreErrorsWithTheirLine) {
  // nlohmann throws out_of_range, not parse_error, for these: they used to abort relayaudit.
  const auto error = error_of("{\n  \"id\": 1e999\n}");
  EXPECT_EQ(error.line, 2u);
  EXPECT_NE(error.message.find("number overflow"), std::string::npos) << error.message;
  EXPECT_EQ(error_of("[-1e400]").line, 1u);
}

TEST(JsonInput, SyntaxErrorsPointAtTheOffendingByte) {
  const auto error = error_of("{\"id\": \"x\",, }");
  EXPECT_EQ(error.line, 1u);
  EXPECT_EQ(error.column, 12u);
  EXPECT_EQ(error.message.find("[json.exception"), std::string::npos) << error.message;
  EXPECT_EQ(error.located().rfind("1:12: ", 0), 0u) << error.located();
  EXPECT_EQ(error_of("\"\xff\"").line, 1u);  // invalid UTF-8
}

TEST(JsonInput, NestingIsBoundedButBracketsInStringsAreText) {
  const std::string deep = "\n[" + std::string(kMaxJsonNesting, '[') + "]";
  const auto error = error_of(deep);
  EXPECT_EQ(error.line, 2u);
  EXPECT_NE(error.message.find("nesting deeper than 64"), std::string::npos) << error.message;
  const std::string allowed = std::string(kMaxJsonNesting, '[') + std::string(kMaxJsonNesting, ']');
  EXPECT_TRUE(std::holds_alternative<nlohmann::json>(parse_json_input(allowed)));
  const std::string quoted = "[\"" + std::string(1000, '[') + "\\\"\"]";
  EXPECT_TRUE(std::holds_alternative<nlohmann::json>(parse_json_input(quoted)));
}

}  // namespace
}  // namespace relayaudit
