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

  // Starts an instance. `extra_main_cf` holds "name = value" lines applied over the base recipe
  // (a name already set is replaced, not repeated), e.g. to build a hole config. Returns null
  // and sets *error, with the maillog tail, when Postfix does not come up within 20 s.
  static std::unique_ptr<PostfixInstance> start(Mode mode, std::string* error);
  static std::unique_ptr<PostfixInstance> start(Mode mode,
                                                const std::vector<std::string>& extra_main_cf,
                                                std::string* error);

  // Stops the instance (see stop()) and removes its directory, unless RELAYAUDIT_KEEP_POSTFIX=1.
  ~PostfixInstance();
  PostfixInstance(const PostfixInstance&) = delete;
  PostfixInstance& operator=(const PostfixInstance&) = delete;

  // `postfix stop`, then waits for the master and every daemon it started to exit; SIGKILL to the
  // process group after a bounded wait. Returns "" or what went wrong. Idempotent.
  std::string stop();

  Mode mode() const { return mode_; }
  std::uint16_t port() const { return port_; }
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
  std::string launch(const std::vector<std::string>& extra_main_cf);
  void stand_down_watchdog();

  Mode mode_;
  std::string dir_;
  std::string host_name_;
  std::uint16_t port_ = 0;
  pid_t master_pid_ = -1;
  pid_t watchdog_pid_ = -1;  // stops the master if this process dies without running stop()
  int watchdog_fd_ = -1;     // our end of the watchdog's pipe
  bool stopped_ = false;
};

}  // namespace relayaudit::testing
