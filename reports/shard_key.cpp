// The stable endpoint -> shard rule shared by `scan --shard` and `merge`.
#include "reports/shard_key.hpp"

#include <charconv>

namespace relayaudit {

std::uint64_t fnv1a64(std::string_view text) {
  std::uint64_t hash = 14695981039346656037ULL;
  for (const char c : text) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ULL;
  }
  return hash;
}

int shard_of(std::string_view address, std::uint16_t port, int n) {
  if (n <= 1) return 1;
  std::string text(address);
  text += '|';
  text += std::to_string(port);
  return static_cast<int>(fnv1a64(text) % static_cast<std::uint64_t>(n)) + 1;
}

std::optional<int> shard_of_key(std::string_view key, int n) {
  std::string_view address;
  std::string_view port_text;
  if (!key.empty() && key.front() == '[') {
    const auto close = key.find("]:");
    if (close == std::string_view::npos) return std::nullopt;
    address = key.substr(1, close - 1);
    port_text = key.substr(close + 2);
  } else {
    const auto colon = key.rfind(':');
    if (colon == std::string_view::npos) return std::nullopt;
    address = key.substr(0, colon);
    port_text = key.substr(colon + 1);
  }
  unsigned port = 0;
  const auto [end, error] =
      std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (address.empty() || error != std::errc() || end != port_text.data() + port_text.size() ||
      port == 0 || port > 65535) {
    return std::nullopt;
  }
  return shard_of(address, static_cast<std::uint16_t>(port), n);
}

}  // namespace relayaudit
