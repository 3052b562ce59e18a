// Starting and stopping nsd for the DNS tests.
#include "nsd_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <thread>

namespace relayaudit::testing {
namespace {

constexpr const char* kNsd = "/usr/sbin/nsd";

// A port free for both UDP and TCP on `address` right now (nsd cannot report a port 0 bind).
std::uint16_t free_port(const std::string& address) {
  const bool v6 = address.find(':') != std::string::npos;
  sockaddr_storage storage{};
  socklen_t length = 0;
  if (v6) {
    auto* in6 = reinterpret_cast<sockaddr_in6*>(&storage);
    in6->sin6_family = AF_INET6;
    inet_pton(AF_INET6, address.c_str(), &in6->sin6_addr);
    length = sizeof(sockaddr_in6);
  } else {
    auto* in4 = reinterpret_cast<sockaddr_in*>(&storage);
    in4->sin_family = AF_INET;
    inet_pton(AF_INET, address.c_str(), &in4->sin_addr);
    length = sizeof(sockaddr_in);
  }
  auto* addr = reinterpret_cast<sockaddr*>(&storage);
  const int tcp = ::socket(storage.ss_family, SOCK_STREAM, 0);
  const int udp = ::socket(storage.ss_family, SOCK_DGRAM, 0);
  std::uint16_t port = 0;
  if (tcp >= 0 && udp >= 0 && ::bind(tcp, addr, length) == 0 &&
      ::getsockname(tcp, addr, &length) == 0 && ::bind(udp, addr, length) == 0) {
    port = ntohs(v6 ? reinterpret_cast<sockaddr_in6*>(addr)->sin6_port
                    : reinterpret_cast<sockaddr_in*>(addr)->sin_port);
  }
  if (tcp >= 0) ::close(tcp);
  if (udp >= 0) ::close(udp);
  return port;
}

std::string config_text(const std::string& dir, const std::string& address, std::uint16_t port,
                        const std::vector<NsdZone>& zones) {
  const bool v6 = address.find(':') != std::string::npos;
  std::string text = "server:\n";
  text += "  ip-address: " + address + "@" + std::to_string(port) + "\n";
  text += "  port: " + std::to_string(port) + "\n";
  text += v6 ? "  do-ip4: no\n" : "  do-ip6: no\n";
  text +=
      "  username: \"\"\n"
      "  chroot: \"\"\n"
      "  zonesdir: \"\"\n"
      "  database: \"\"\n"
      "  xfrdfile: \"\"\n"
      "  server-count: 1\n"
      "  verbosity: 0\n"
      "  hide-version: yes\n"
      "  hide-identity: yes\n"
      "  receive-buffer-size: 8388608\n"
      "  send-buffer-size: 8388608\n"
      "  rrl-ratelimit: 0\n"
      "  rrl-whitelist-ratelimit: 0\n";
  text += "  zonelistfile: \"" + dir + "/zone.list\"\n";
  text += "  xfrdir: \"" + dir + "\"\n";
  text += "  pidfile: \"" + dir + "/nsd.pid\"\n";
  text += "  logfile: \"" + dir + "/nsd.log\"\n";
  text += "remote-control:\n  control-enable: no\n";
  for (const auto& zone : zones) {
    text += "zone:\n  name: " + zone.name + "\n  zonefile: \"" + zone.file + "\"\n";
  }
  return text;
}

}  // namespace

std::vector<NsdZone> committed_zones() {
  const std::string dir = std::string(RELAYAUDIT_SOURCE_DIR) + "/tests/dns/zones/";
  return {{"relayaudit.test", dir + "relayaudit.test.zone"},
          {"dnsbl.relayaudit.test", dir + "dnsbl.relayaudit.test.zone"},
          {"other.test", dir + "other.test.zone"},
          {"scan.test", dir + "scan.test.zone"}};
}

std::string nsd_unavailable_reason() {
  if (::access(kNsd, X_OK) != 0) return std::string(kNsd) + " not installed (apt-get install nsd)";
  return "";
}

bool nsd_required() {
  const char* value = std::getenv("RELAYAUDIT_REQUIRE_NSD");
  return value != nullptr && std::string(value) == "1";
}

NsdServer::NsdServer(std::vector<NsdZone> zones, std::string address)
    : address_(std::move(address)) {
  error_ = nsd_unavailable_reason();
  if (!error_.empty()) return;
  dir_ = make_temp_dir();
  // A port found free can be taken before nsd binds it: try a few.
  for (int attempt = 0; attempt < 3; ++attempt) {
    if (start_once(zones)) return;
  }
}

bool NsdServer::start_once(const std::vector<NsdZone>& zones) {
  process_.reset();
  port_ = free_port(address_);
  if (port_ == 0) {
    error_ = "no free port on " + address_;
    return false;
  }
  const std::string config = dir_ + "/nsd.conf";
  write_file(dir_ + "/nsd.log", "");
  write_file(config, config_text(dir_, address_, port_, zones));
  process_ =
      std::make_unique<BackgroundProcess>(std::vector<std::string>{kNsd, "-d", "-c", config});
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    const std::string text = log();
    if (text.find("nsd started") != std::string::npos) {
      error_.clear();
      return true;
    }
    if (text.find("error:") != std::string::npos || text.find("fatal") != std::string::npos) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  error_ = "nsd did not start on " + spec() + "; its log:\n" + last_lines(log(), 20);
  process_.reset();
  return false;
}

NsdServer::~NsdServer() {
  process_.reset();
}

std::string NsdServer::spec() const {
  if (address_.find(':') != std::string::npos) {
    return "[" + address_ + "]:" + std::to_string(port_);
  }
  return address_ + ":" + std::to_string(port_);
}

std::string NsdServer::log() const {
  return read_file(dir_ + "/nsd.log");
}

NsdServer& shared_nsd() {
  static NsdServer server(committed_zones());
  return server;
}

}  // namespace relayaudit::testing
