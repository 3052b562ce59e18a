// Throwaway real Postfix servers on 127.0.0.1 for tests; nothing they accept is ever delivered.
//
// Each instance lives in /tmp/relayaudit-postfix-XXXXXX (etc/, queue/, data/, maillog, and the
// output of every command run for it). Its master(8) runs in the foreground as a child of the test
// process, watched by a small forked watchdog that stops it if the test process dies without
// stopping it (crash, SIGKILL); the next start() also sweeps directories whose owner is gone.
// tests/postfix/README.md explains every main.cf setting.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "support/process.hpp"

namespace relayaudit::testing {

// "" when real Postfix tests can run here, else why not (not root, Postfix not installed, ...).
std::string postfix_unavailable_reason();

// True when RELAYAUDIT_REQUIRE_POSTFIX=1: CI demands that Postfix tests run, so a test that
// cannot run must fail instead of skipping.
bool postfix_required();

class PostfixInstance {
 public:
  enum class Mode {
    closed,  // trusts nobody we connect from: relaying to us is refused with 554 at RCPT
    open,    // trusts 127.0.0.0/8 (mynetworks): relays anything we send
  };

  // A certificate (chain) and its private key, PEM; the test makes them.
  struct TlsKeyPair {
    std::string certificate_pem;
    std::string key_pem;
  };

  // An smtpd service besides the plain 127.0.0.1 one every instance has (start() waits for that
  // one's banner, so it must stay plaintext).
  struct Listener {
    std::string address = "127.0.0.1";  // IPv4 loopback (127.0.0.0/8) only
    std::uint16_t port = 0;             // 0: a free port; fixed (e.g. 587): see bound address
    // master.cf "-o name=value" overrides, e.g. "smtpd_tls_wrappermode=yes". No spaces.
    std::vector<std::string> options;
    // "smtpd", or "postscreen": postscreen(8) in front, handing clients that pass to smtpd.
    std::string service = "smtpd";
  };

  struct Options {
    // "name = value" lines applied over the base recipe (a name already set is replaced).
    std::vector<std::string> main_cf;
    // Written to etc/ (key 0640 root:postfix) and named by smtpd_tls_chain_files, with
    // smtpd_tls_security_level = may unless main_cf sets it; tlsmgr joins master.cf.
    std::optional<TlsKeyPair> tls;
    std::vector<Listener> listeners;
  };

  // Where a Listener was bound. A fixed port taken on its address (a parallel test) moves to the
  // next address up, at most 15 times within the same /24: read the address back from here.
  struct BoundListener {
    std::string address;
    std::uint16_t port = 0;
    std::string target() const { return address + ":" + std::to_string(port); }
  };

  // Starts an instance. `extra_main_cf` holds "name = value" lines applied over the base recipe
  // (a name already set is replaced, not repeated), e.g. to build a hole config. Returns null
  // and sets *error, with the maillog tail, when Postfix does not come up within 20 s.
  static std::unique_ptr<PostfixInstance> start(Mode mode, std::string* error);
  static std::unique_ptr<PostfixInstance> start(Mode mode,
                                                const std::vector<std::string>& extra_main_cf,
                                                std::string* error);
  static std::unique_ptr<PostfixInstance> start(Mode mode, const Options& options,
                                                std::string* error);

  // Stops the instance (see stop()) and removes its directory, unless RELAYAUDIT_KEEP_POSTFIX=1.
  ~PostfixInstance();
  PostfixInstance(const PostfixInstance&) = delete;
  PostfixInstance& operator=(const PostfixInstance&) = delete;

  // `postfix stop`, then waits for the master and every daemon it started to exit; SIGKILL to the
  // process group after a bounded wait. Returns "" or what went wrong. Idempotent.
  std::string stop();

  Mode mode() const { return mode_; }
  // The plain 127.0.0.1 listener's port.
  std::uint16_t port() const { return port_; }
  // Options::listeners, in order, as bound.
  const std::vector<BoundListener>& listeners() const { return listeners_; }
  const std::string& dir() const { return dir_; }
  std::string config_dir() const { return dir_ + "/etc"; }
  // myhostname, also the first word of the banner and of the EHLO reply.
  const std::string& host_name() const { return host_name_; }
  pid_t master_pid() const { return master_pid_; }

  std::string maillog_path() const { return dir_ + "/maillog"; }
  std::string maillog() const;
  // The last `lines` lines of the maillog, then of the command output, for failure messages.
  std::string log_tail(std::size_t lines = 40) const;

  // Waits until a maillog line contains `needle`; false after `timeout`.
  bool wait_for_log(const std::string& needle, std::chrono::milliseconds timeout) const;

  // Stops masters of instances whose owning test process is gone and removes their directories.
  // start() calls it; it never touches an instance whose owner is still running.
  static void sweep_abandoned();

 private:
  PostfixInstance(Mode mode, std::string dir);
  std::string launch(const Options& options);
  void stand_down_watchdog();

  Mode mode_;
  std::string dir_;
  std::string host_name_;
  std::uint16_t port_ = 0;
  std::vector<BoundListener> listeners_;
  pid_t master_pid_ = -1;
  pid_t watchdog_pid_ = -1;  // stops the master if this process dies without running stop()
  int watchdog_fd_ = -1;     // our end of the watchdog's pipe
  bool stopped_ = false;
};

}  // namespace relayaudit::testing
