// Placeholder validation and expansion, including the derived address parts and IPv6 literals.
#include "relaytests/placeholders.hpp"

#include <gtest/gtest.h>

namespace relayaudit {
namespace {

PlaceholderValues sample_values() {
  PlaceholderValues values;
  values.ext_from = "antispam@sender.example.test";
  values.ext_to = "relaytest@external.example.test";
  values.target_domain = "example.test";
  values.target_host = "mx1.example.test";
  values.target_sender_domain = "mail.example.test";
  values.target_ip = "[IPv6:2001:db8::25]";
  values.scanner_ehlo = "scanner.example.test";
  values.random = "k3x9q";
  return values;
}

TEST(Placeholders, EveryNameExpands) {
  const auto values = sample_values();
  const std::pair<const char*, const char*> cases[] = {
      {"{ext_from}", "antispam@sender.example.test"},
      {"{ext_from_user}", "antispam"},
      {"{ext_from_domain}", "sender.example.test"},
      {"{ext_to}", "relaytest@external.example.test"},
      {"{ext_user}", "relaytest"},
      {"{ext_domain}", "external.example.test"},
      {"{target_domain}", "example.test"},
      {"{target_host}", "mx1.example.test"},
      {"{target_sender_domain}", "mail.example.test"},
      {"{target_ip}", "[IPv6:2001:db8::25]"},
      {"{scanner_ehlo}", "scanner.example.test"},
      {"{random}", "k3x9q"},
  };
  ASSERT_EQ(std::size(cases), placeholder_names().size());
  for (const auto& [text, expected] : cases) {
    EXPECT_EQ(expand_placeholders(text, values), expected) << text;
    EXPECT_FALSE(find_bad_placeholder(text)) << text;
  }
}

TEST(Placeholders, CompositeTemplatesAndRepeats) {
  const auto values = sample_values();
  EXPECT_EQ(expand_placeholders("{ext_from_user}@{target_ip}", values),
            "antispam@[IPv6:2001:db8::25]");
  EXPECT_EQ(expand_placeholders("\"{ext_user}@{ext_domain}\"@{target_host}", values),
            "\"relaytest@external.example.test\"@mx1.example.test");
  EXPECT_EQ(expand_placeholders("{ext_from_user}@{target_sender_domain}", values),
            "antispam@mail.example.test");
  EXPECT_EQ(expand_placeholders("{random}-{random}", values), "k3x9q-k3x9q");
  EXPECT_EQ(expand_placeholders("postmaster", values), "postmaster");
  EXPECT_EQ(expand_placeholders("", values), "");
}

TEST(Placeholders, ForgedSenderDomain) {
  struct Case {
    const char* mail_domain;
    const char* host_name;
    const char* expected;
  };
  const Case cases[] = {
      {"example.test", "mx1.example.test", "example.test"},  // the mail domain wins
      {"example.test", "", "example.test"},
      {"", "mx1.example.test", "example.test"},            // parent of the host name
      {"", "mx1.mail.example.test", "mail.example.test"},  // only one label is dropped
      {"", "mx1.example.test.", "example.test"},           // an absolute name
      {"", "mail.example", "mail.example"},                // the parent would be a TLD
      {"", "localhost", "localhost"},
      {"", "[192.0.2.7]", "[192.0.2.7]"},  // no parent domain for an address
      {"", "192.0.2.7", "192.0.2.7"},
      {"", "[IPv6:2001:db8::25]", "[IPv6:2001:db8::25]"},
      {"", "", ""},
  };
  for (const auto& [mail_domain, host_name, expected] : cases) {
    EXPECT_EQ(forged_sender_domain(mail_domain, host_name), expected)
        << "mail domain '" << mail_domain << "', host '" << host_name << "'";
  }
}

TEST(Placeholders, DerivedPartsSplitAtTheLastAt) {
  auto values = sample_values();
  values.ext_to = "\"a@b\"@relay.example.test";
  values.ext_from = "no-domain";
  EXPECT_EQ(expand_placeholders("{ext_user}|{ext_domain}", values), "\"a@b\"|relay.example.test");
  EXPECT_EQ(expand_placeholders("{ext_from_user}|{ext_from_domain}", values), "no-domain|");
}

TEST(Placeholders, UnknownAndUnbalancedAreLeftAsWritten) {
  auto values = sample_values();
  EXPECT_EQ(expand_placeholders("{nope}@{ext_domain}", values), "{nope}@external.example.test");
  EXPECT_EQ(expand_placeholders("a{b{ext_user}", values), "a{brelaytest");
  EXPECT_EQ(expand_placeholders("x}{ext_user", values), "x}{ext_user");
  // Values are not rescanned: braces inside a value stay literal.
  values.random = "{ext_to}";
  EXPECT_EQ(expand_placeholders("{random}", values), "{ext_to}");
}

TEST(Placeholders, FindBadPlaceholder) {
  EXPECT_FALSE(find_bad_placeholder("{ext_user}%{ext_domain}@{target_ip}"));
  EXPECT_FALSE(find_bad_placeholder("plain@example.test"));

  auto bad = find_bad_placeholder("{ext_usr}@x");
  ASSERT_TRUE(bad);
  EXPECT_NE(bad->find("unknown placeholder {ext_usr}"), std::string::npos) << *bad;
  EXPECT_NE(bad->find("{ext_user}"), std::string::npos) << "lists the known names: " << *bad;

  bad = find_bad_placeholder("{ext_user");
  ASSERT_TRUE(bad);
  EXPECT_NE(bad->find("unbalanced '{'"), std::string::npos) << *bad;

  bad = find_bad_placeholder("{ext_user{ext_to}}");
  ASSERT_TRUE(bad);
  EXPECT_NE(bad->find("unbalanced '{'"), std::string::npos) << *bad;

  bad = find_bad_placeholder("ext_user}");
  ASSERT_TRUE(bad);
  EXPECT_NE(bad->find("unbalanced '}'"), std::string::npos) << *bad;

  bad = find_bad_placeholder("{}");
  ASSERT_TRUE(bad);
  EXPECT_NE(bad->find("unknown placeholder {}"), std::string::npos) << *bad;
}

}  // namespace
}  // namespace relayaudit
