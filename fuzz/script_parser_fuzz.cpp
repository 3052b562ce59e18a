// libFuzzer harness: relay scripts (parse_script) never crash, and a script that loads is one
// the scanner can send: required fields set, no control bytes in what goes on the wire.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "relaytests/script_library.hpp"

namespace {

using namespace relayaudit;

void require(bool condition, const char* what) {
  if (condition) return;
  std::fprintf(stderr, "script parser invariant violated: %s\n", what);
  std::abort();
}

bool has_control(const std::string& text) {
  return std::any_of(text.begin(), text.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = parse_script(text, "fuzz.json");
  if (auto* error = std::get_if<ScriptError>(&parsed)) {
    require(!error->message.empty(), "errors say why");
    require(error->to_string().starts_with("fuzz.json"), "errors name the file");
    return 0;
  }
  const auto& script = std::get<RelayScript>(parsed);
  require(!script.id.empty() && !script.rcpt_to.empty(), "required fields are set");
  require(!has_control(script.mail_from) && !has_control(script.ehlo), "no control bytes sent");
  for (const auto& rcpt : script.rcpt_to) require(!has_control(rcpt), "no control bytes sent");
  for (int port : script.ports) require(port >= 1 && port <= 65535, "ports in range");
  return 0;
}
