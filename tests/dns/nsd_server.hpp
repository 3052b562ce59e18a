// A real authoritative DNS server for the tests: nsd on loopback only, a free port, its own
// config, log and state in a temp dir, zones the tests own. No remote control, no transfers.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "support/process.hpp"

namespace relayaudit::testing {

struct NsdZone {
  std::string name;  // "relayaudit.test"
  std::string file;  // absolute path
};

// The zones committed in tests/dns/zones.
std::vector<NsdZone> committed_zones();

// Why nsd cannot run here ("" when it can).
std::string nsd_unavailable_reason();
// RELAYAUDIT_REQUIRE_NSD=1 (CI): a missing nsd fails the tests instead of skipping them.
bool nsd_required();

class NsdServer {
 public:
  // Starts nsd on `address` ("127.0.0.1" or "::1") and a free port; waits until it serves.
  NsdServer(std::vector<NsdZone> zones, std::string address = "127.0.0.1");
  ~NsdServer();
  NsdServer(const NsdServer&) = delete;
  NsdServer& operator=(const NsdServer&) = delete;

  bool running() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  std::uint16_t port() const { return port_; }
  std::string spec() const;  // "127.0.0.1:PORT" or "[::1]:PORT", for --resolver
  std::string log() const;

 private:
  bool start_once(const std::vector<NsdZone>& zones);

  std::string address_;
  std::string dir_;
  std::uint16_t port_ = 0;
  std::string error_;
  std::unique_ptr<BackgroundProcess> process_;
};

// One nsd with the committed zones, started on first use and stopped at exit.
NsdServer& shared_nsd();

}  // namespace relayaudit::testing
