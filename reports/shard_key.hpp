// Which shard of `scan --shard K/N` audits an endpoint: a stable hash of its address and port,
// the same on every machine and for every input order, so N shards cover a fleet exactly once.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace relayaudit {

// The rule's name, as the results document records it.
inline constexpr const char* kShardRule = "fnv1a64(address|port) mod N + 1";

// FNV-1a, 64 bits (offset basis 14695981039346656037, prime 1099511628211), over `text`.
std::uint64_t fnv1a64(std::string_view text);

// The shard (1..n) of the endpoint at `address` (numeric text as the document writes it, without
// brackets: "192.0.2.1", "2001:db8::1") and `port`: fnv1a64("<address>|<port>") mod n, plus 1.
int shard_of(std::string_view address, std::uint16_t port, int n);

// The same for a document's endpoint key ("192.0.2.1:25", "[2001:db8::1]:25"); nullopt when the
// key is not of that shape.
std::optional<int> shard_of_key(std::string_view key, int n);

}  // namespace relayaudit
