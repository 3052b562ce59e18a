// The shard rule: FNV-1a 64 as published, the documented key text, and a split that gives every
// endpoint exactly one shard whatever the order it is asked in.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "reports/shard_key.hpp"

namespace relayaudit {
namespace {

TEST(ShardKey, Fnv1a64MatchesThePublishedVectors) {
  EXPECT_EQ(fnv1a64(""), 0xcbf29ce484222325ULL);
  EXPECT_EQ(fnv1a64("a"), 0xaf63dc4c8601ec8cULL);
  EXPECT_EQ(fnv1a64("foobar"), 0x85944171f73967e8ULL);
}

TEST(ShardKey, TheShardIsTheHashOfAddressBarPortModN) {
  EXPECT_EQ(shard_of("192.0.2.1", 25, 7), static_cast<int>(fnv1a64("192.0.2.1|25") % 7) + 1);
  EXPECT_EQ(shard_of("2001:db8::1", 587, 5), static_cast<int>(fnv1a64("2001:db8::1|587") % 5) + 1);
  EXPECT_EQ(shard_of("192.0.2.1", 25, 1), 1);
  // The document's keys read back to the same shard; brackets are not part of the address.
  EXPECT_EQ(shard_of_key("192.0.2.1:25", 7), shard_of("192.0.2.1", 25, 7));
  EXPECT_EQ(shard_of_key("[2001:db8::1]:587", 5), shard_of("2001:db8::1", 587, 5));
  EXPECT_EQ(shard_of_key("no-port", 3), std::nullopt);
  EXPECT_EQ(shard_of_key("[::1]25", 3), std::nullopt);
  EXPECT_EQ(shard_of_key("192.0.2.1:0", 3), std::nullopt);
  EXPECT_EQ(shard_of_key("192.0.2.1:70000", 3), std::nullopt);
}

TEST(ShardKey, AFleetSplitsIntoEveryShardRoughlyEvenly) {
  std::map<int, int> counts;
  for (int host = 0; host < 3000; ++host) {
    const std::string address =
        "10.0." + std::to_string(host / 250) + "." + std::to_string(host % 250 + 1);
    const int shard = shard_of(address, 25, 3);
    ASSERT_GE(shard, 1);
    ASSERT_LE(shard, 3);
    ++counts[shard];
  }
  ASSERT_EQ(counts.size(), 3u);
  for (const auto& [shard, count] : counts) EXPECT_GT(count, 800) << "shard " << shard;
}

}  // namespace
}  // namespace relayaudit
