// libFuzzer harness: the --config pre-check, then CLI11's TOML reader on what it lets through,
// as `relayaudit --config` does. CLI11 may reject the text (CLI::Error), never crash or blow up.
#include <cstdint>
#include <sstream>
#include <string>
#include <string_view>

#include <CLI/CLI.hpp>

#include "cli/config_precheck.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (size > relayaudit::kMaxConfigBytes) return 0;
  if (relayaudit::config_text_problem(text)) return 0;
  std::istringstream in{std::string(text)};
  try {
    CLI::ConfigTOML reader;
    const auto items = reader.from_config(in);
    (void)items;
  } catch (const CLI::ParseError&) {
    // A config error: relayaudit reports it naming the file (exit 2).
  }
  return 0;
}
