// libFuzzer harness: target specs (parse_target) and targets files (parse_target_file, read
// from a memfd): never crash, never accept what the scanner cannot use.
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "targets/target_parser.hpp"

namespace {

using namespace relayaudit;

void require(bool condition, const char* what) {
  if (condition) return;
  std::fprintf(stderr, "target parser invariant violated: %s\n", what);
  std::abort();
}

void check_target(const Target& target) {
  require(!target.host.empty(), "a target has a host");
  require(target.port >= 1, "a target has a port");
  require(target.host.find_first_of(" \t\r\n") == std::string::npos, "no whitespace in a host");
  if (target.kind == TargetKind::cidr) {
    require(expand_cidr(target).size() <= kMaxCidrAddresses, "CIDR expansion bounded");
  }
}

void parse_as_file(std::string_view text) {
  const int fd = ::memfd_create("targets", MFD_CLOEXEC);
  if (fd < 0) return;
  std::size_t written = 0;
  while (written < text.size()) {
    const ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    if (n <= 0) break;
    written += static_cast<std::size_t>(n);
  }
  const ParsedTargets parsed = parse_target_file("/proc/self/fd/" + std::to_string(fd));
  ::close(fd);
  require(parsed.errors.size() <= kMaxKeptTargetErrors, "kept errors bounded");
  for (const auto& target : parsed.targets) check_target(target);
  for (const auto& error : parsed.errors) require(!error.message.empty(), "errors say why");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto parsed = parse_target(text, "fuzz", 25);
  if (auto* target = std::get_if<Target>(&parsed)) {
    check_target(*target);
    // A target's own spec must parse again to the same target: files and arguments agree.
    auto again = parse_target(target->spec, "fuzz", 25);
    require(std::holds_alternative<Target>(again), "a parsed spec parses again");
    require(std::get<Target>(again).host == target->host, "the same host again");
  } else {
    require(!std::get<TargetError>(parsed).message.empty(), "errors say why");
  }
  parse_as_file(text);
  return 0;
}
