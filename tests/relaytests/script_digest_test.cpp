// Every loaded script carries the SHA-256 of its definition's bytes, as the results record it.
#include "relaytests/script_digest.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "relaytests/script_library.hpp"

namespace relayaudit {
namespace {

std::string read_source_file(const std::string& relative) {
  std::ifstream in(std::string(RELAYAUDIT_SOURCE_DIR) + "/" + relative, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(ScriptDigest, IsSha256InLowercaseHex) {
  EXPECT_EQ(script_digest(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(script_digest("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(ScriptDigest, BuiltinScriptsHashTheShippedFiles) {
  ASSERT_FALSE(builtin_scripts().empty());
  for (const RelayScript& script : builtin_scripts()) {
    ASSERT_EQ(script.source.rfind("builtin:", 0), 0u) << script.source;
    const std::string file = "relaytests/" + script.source.substr(8);
    const std::string bytes = read_source_file(file);
    ASSERT_FALSE(bytes.empty()) << file;
    EXPECT_EQ(script.sha256, script_digest(bytes)) << file;
  }
}

TEST(ScriptDigest, AnyChangedByteChangesTheHash) {
  const std::string text = read_source_file("relaytests/core/relay-external-sender.json");
  auto original = parse_script(text, "a.json");
  auto edited = parse_script(text + "\n", "a.json");  // same meaning, different bytes
  ASSERT_TRUE(std::holds_alternative<RelayScript>(original));
  ASSERT_TRUE(std::holds_alternative<RelayScript>(edited));
  EXPECT_EQ(std::get<RelayScript>(original).sha256, script_digest(text));
  EXPECT_NE(std::get<RelayScript>(original).sha256, std::get<RelayScript>(edited).sha256);
}

}  // namespace
}  // namespace relayaudit
