// Throwaway real Postfix servers on 127.0.0.1 for tests; nothing they accept is ever delivered.
#include "support/postfix_instance.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <thread>
#include <utility>

#include "support/errno_text.hpp"
#include "support/smtp_test_client.hpp"

namespace relayaudit::testing {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr const char* kPostfix = "/usr/sbin/postfix";
constexpr const char* kPostconf = "/usr/sbin/postconf";
// Every instance directory starts with this; sweep_abandoned() relies on it.
constexpr const char* kDirPrefix = "/tmp/relayaudit-postfix-";
constexpr const char* kOwnerFile = "owner";          // "<pid> <starttime>" of the test process
constexpr const char* kCommandLog = "commands.log";  // output of postconf/postfix/master
constexpr auto kReadyTimeout = 20s;
constexpr int kPortAttempts = 5;

std::string trim(std::string text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return "";
  const auto last = text.find_last_not_of(" \t\r\n");
  return text.substr(first, last - first + 1);
}

bool write_file(const std::string& path, const std::string& content, std::string* error) {
  std::ofstream out(path, std::ios::trunc);
  out << content;
  out.close();
  if (!out) {
    *error = "cannot write " + path;
    return false;
  }
  // Postfix re-reads a main.cf modified within the last second until it is older (it may be
  // being edited): back-dating the file saves about two seconds per postconf/postfix call.
  std::error_code ec;
  fs::last_write_time(path, fs::file_time_type::clock::now() - std::chrono::minutes(1), ec);
  return true;
}

// --- processes, read from /proc -----------------------------------------------------------

struct ProcessStat {
  char state = '?';
  pid_t ppid = 0;
  pid_t pgrp = 0;
  unsigned long long start_time = 0;  // clock ticks since boot: tells a reused pid apart
};

std::optional<ProcessStat> read_stat(pid_t pid) {
  const std::string text = read_file("/proc/" + std::to_string(pid) + "/stat");
  // "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses, so parse after the
  // last ')'. starttime is field 22, the 20th after comm.
  const auto paren = text.rfind(')');
  if (paren == std::string::npos) return std::nullopt;
  std::istringstream fields(text.substr(paren + 1));
  ProcessStat stat;
  std::string skip;
  fields >> stat.state >> stat.ppid >> stat.pgrp;
  for (int field = 6; field < 22 && fields; ++field) fields >> skip;
  fields >> stat.start_time;
  if (!fields) return std::nullopt;
  return stat;
}

// Running or stopped, not gone and not a zombie.
bool process_running(pid_t pid) {
  const auto stat = read_stat(pid);
  return stat && stat->state != 'Z' && stat->state != 'X';
}

std::vector<pid_t> all_pids() {
  std::vector<pid_t> pids;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/proc", ec)) {
    const std::string name = entry.path().filename().string();
    if (!name.empty() && name.find_first_not_of("0123456789") == std::string::npos)
      pids.push_back(static_cast<pid_t>(std::stol(name)));
  }
  return pids;
}

std::vector<std::string> split_nul(const std::string& text) {
  std::vector<std::string> parts;
  std::string part;
  for (char c : text) {
    if (c == '\0') {
      parts.push_back(part);
      part.clear();
    } else {
      part += c;
    }
  }
  if (!part.empty()) parts.push_back(part);
  return parts;
}

// The instance directory a Postfix master serves, from "-c DIR/etc" or MAIL_CONFIG=DIR/etc,
// when that is one of ours; else "".
std::string instance_dir_of_master(pid_t pid) {
  const std::string proc = "/proc/" + std::to_string(pid);
  if (trim(read_file(proc + "/comm")) != "master") return "";
  std::string config;
  const auto args = split_nul(read_file(proc + "/cmdline"));
  for (std::size_t i = 0; i + 1 < args.size(); ++i)
    if (args[i] == "-c") config = args[i + 1];
  if (config.empty()) {
    for (const auto& variable : split_nul(read_file(proc + "/environ")))
      if (variable.rfind("MAIL_CONFIG=", 0) == 0) config = variable.substr(12);
  }
  if (config.rfind(kDirPrefix, 0) != 0) return "";
  const auto slash = config.find('/', std::strlen(kDirPrefix));
  return slash == std::string::npos ? config : config.substr(0, slash);
}

// Reaps `pid` if it is our child; otherwise only observes it. True once it is gone.
bool reap_or_gone(pid_t pid) {
  int status = 0;
  const pid_t result = ::waitpid(pid, &status, WNOHANG);
  if (result == pid) return true;
  if (result == 0) return false;
  return !process_running(pid);  // not our child: gone or a zombie someone else must reap
}

bool wait_until_gone(pid_t pid, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (!reap_or_gone(pid)) {
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(20ms);
  }
  return true;
}

// Waits until no process of the group runs, reaping the members that were re-parented to us.
bool wait_group_gone(pid_t pgid, std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  const pid_t self = ::getpid();
  for (;;) {
    bool remaining = false;
    for (pid_t pid : all_pids()) {
      const auto stat = read_stat(pid);
      if (!stat || stat->pgrp != pgid) continue;
      if (stat->state == 'Z' && stat->ppid == self) {
        ::waitpid(pid, nullptr, WNOHANG);
      } else if (stat->state != 'Z' && stat->state != 'X') {
        remaining = true;
      }
    }
    if (!remaining) return true;
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(20ms);
  }
}

void signal_group(pid_t pgid, int signal) {
  if (::kill(-pgid, signal) != 0) ::kill(pgid, signal);
}

// Master daemons get SIGTERM so they stop their children; SIGKILL if they do not.
void terminate_group(pid_t pgid) {
  signal_group(pgid, SIGTERM);
  if (!wait_until_gone(pgid, 5s)) signal_group(pgid, SIGKILL);
  if (!wait_group_gone(pgid, 5s)) signal_group(pgid, SIGKILL);
  wait_group_gone(pgid, 2s);
}

// Orphaned daemons of a stopped master are re-parented to us, so we can reap them instead of
// leaving zombies behind an init that does not reap (as in many containers).
void become_subreaper() {
  ::prctl(PR_SET_CHILD_SUBREAPER, 1);
}

std::string owner_record() {
  const auto stat = read_stat(::getpid());
  return std::to_string(::getpid()) + " " + std::to_string(stat ? stat->start_time : 0) + "\n";
}

// An instance directory is in use while the test process that wrote its owner file runs. A
// directory without an owner file is given a grace period: it may be being created right now.
bool owner_alive(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return false;
  std::istringstream owner(read_file(dir + "/" + kOwnerFile));
  pid_t pid = 0;
  unsigned long long start_time = 0;
  if (!(owner >> pid >> start_time)) {
    const auto age = fs::file_time_type::clock::now() - fs::last_write_time(dir, ec);
    return !ec && age < std::chrono::minutes(2);
  }
  const auto stat = read_stat(pid);
  return stat && stat->start_time == start_time && stat->state != 'Z';
}

// Removes a directory tree even while another test process sweeps it or a dying daemon still
// appends to its maillog; gives up after a second.
void remove_tree(const std::string& dir) {
  for (int attempt = 0; attempt < 20; ++attempt) {
    std::error_code ec;
    fs::remove_all(dir, ec);
    if (!fs::exists(dir, ec)) return;
    std::this_thread::sleep_for(50ms);
  }
}

// --- configuration ------------------------------------------------------------------------

using Settings = std::vector<std::pair<std::string, std::string>>;

void set(Settings* settings, const std::string& name, const std::string& value) {
  for (auto& [key, old_value] : *settings) {
    if (key == name) {
      old_value = value;
      return;
    }
  }
  settings->emplace_back(name, value);
}

// The recipe; tests/postfix/README.md says why each line is there.
Settings base_settings(PostfixInstance::Mode mode, const std::string& dir,
                       const std::string& host_name) {
  const bool open = mode == PostfixInstance::Mode::open;
  return {
      {"compatibility_level", "3.6"},
      {"myhostname", host_name},
      {"mydomain", "postfix.relayaudit.test"},
      {"myorigin", "$myhostname"},
      {"mydestination", "$myhostname, localhost"},
      {"queue_directory", dir + "/queue"},
      {"data_directory", dir + "/data"},
      {"maillog_file", dir + "/maillog"},
      {"maillog_file_prefixes", dir},
      {"mail_owner", "postfix"},
      {"setgid_group", "postdrop"},
      {"inet_interfaces", "127.0.0.1"},
      {"inet_protocols", "ipv4"},
      {"mynetworks", open ? "127.0.0.0/8" : "192.0.2.1/32"},
      {"smtpd_relay_restrictions",
       "permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination"},
      {"smtpd_banner", "$myhostname ESMTP"},
      {"smtpd_peername_lookup", "no"},
      {"smtp_dns_support_level", "disabled"},
      {"lmtp_dns_support_level", "disabled"},
      {"dnssec_probe", ""},
      {"default_transport", "discard"},
      {"relay_transport", "discard"},
      {"local_transport", "discard"},
      {"virtual_transport", "discard"},
      {"alias_maps", ""},
      {"alias_database", ""},
      {"biff", "no"},
  };
}

// The test's key pair into etc/: root owns both; the key is readable by group postfix, never by
// the world (smtpd loads it as root before dropping privileges; this keeps a non-root reader able).
std::string write_tls_files(const PostfixInstance::TlsKeyPair& pair, const std::string& etc,
                            Settings* settings) {
  const std::string key = etc + "/smtpd-key.pem";
  const std::string certificate = etc + "/smtpd-cert.pem";
  std::string error;
  if (!write_file(key, pair.key_pem, &error) ||
      !write_file(certificate, pair.certificate_pem, &error))
    return error;
  const group* postfix = ::getgrnam("postfix");
  if (postfix == nullptr) return "there is no group 'postfix'";
  if (::chown(key.c_str(), 0, postfix->gr_gid) != 0 || ::chmod(key.c_str(), 0640) != 0)
    return errno_text("chown/chmod " + key);
  if (::chmod(certificate.c_str(), 0644) != 0) return errno_text("chmod " + certificate);
  set(settings, "smtpd_tls_chain_files", key + ", " + certificate);
  set(settings, "smtpd_tls_security_level", "may");
  // One line per handshake (protocol, cipher) in the maillog: what a failing test needs.
  set(settings, "smtpd_tls_loglevel", "1");
  return "";
}

std::string render_main_cf(const Settings& settings) {
  std::string text =
      "# Written by tests/support/postfix_instance.cpp; tests/postfix/README.md explains it.\n";
  for (const auto& [name, value] : settings) text += name + " = " + value + "\n";
  return text;
}

// Only the SMTP listeners and the internal services they need; no smtp, lmtp, local, virtual or
// pipe delivery agent exists, so nothing can leave the machine even by mistake. Nothing chroots.
std::string render_master_cf(std::uint16_t port,
                             const std::vector<PostfixInstance::BoundListener>& bound,
                             const std::vector<PostfixInstance::Listener>& listeners, bool tls) {
  std::string text =
      "# Written by tests/support/postfix_instance.cpp; tests/postfix/README.md explains it.\n"
      "# service type  private unpriv  chroot  wakeup  maxproc command\n"
      "127.0.0.1:" +
      std::to_string(port) + " inet n - n - - smtpd\n";
  bool postscreen = false;
  for (std::size_t i = 0; i < bound.size(); ++i) {
    // postscreen(8) runs as a single process per listener.
    const bool screened = listeners[i].service == "postscreen";
    postscreen = postscreen || screened;
    text +=
        bound[i].target() + (screened ? " inet n - n - 1 postscreen\n" : " inet n - n - - smtpd\n");
    for (const auto& option : listeners[i].options) text += "  -o " + option + "\n";
  }
  // Where postscreen hands a client that passed its tests.
  if (postscreen) text += "smtpd     pass  -       -       n       -       -       smtpd\n";
  text +=
      "cleanup   unix  n       -       n       -       0       cleanup\n"
      "qmgr      unix  n       -       n       300     1       qmgr\n"
      "rewrite   unix  -       -       n       -       -       trivial-rewrite\n"
      "bounce    unix  -       -       n       -       0       bounce\n"
      "defer     unix  -       -       n       -       0       bounce\n"
      "trace     unix  -       -       n       -       0       bounce\n"
      "verify    unix  -       -       n       -       1       verify\n"
      "flush     unix  n       -       n       1000?   0       flush\n"
      "proxymap  unix  -       -       n       -       -       proxymap\n"
      "anvil     unix  -       -       n       -       1       anvil\n"
      "discard   unix  -       -       n       -       -       discard\n"
      "error     unix  -       -       n       -       -       error\n"
      "retry     unix  -       -       n       -       -       error\n"
      "postlog   unix-dgram n  -       n       -       1       postlogd\n";
  // smtpd asks tlsmgr for PRNG seed and session-cache service once TLS is configured.
  if (tls) text += "tlsmgr    unix  -       -       n       1000?   1       tlsmgr\n";
  return text;
}

// A loopback port nobody listens on right now on `address` (port 0), or whether the fixed `port`
// is free there. Another process may take it before the master binds it; launch() then retries.
// SO_REUSEADDR as the master sets it: a TIME_WAIT left by an earlier instance does not count.
std::uint16_t free_port(const std::string& address, std::uint16_t port, std::string* error) {
  sockaddr_in socket_address{};
  socket_address.sin_family = AF_INET;
  socket_address.sin_port = htons(port);
  if (::inet_pton(AF_INET, address.c_str(), &socket_address.sin_addr) != 1 ||
      (ntohl(socket_address.sin_addr.s_addr) >> 24) != 127) {
    *error = "listener address '" + address + "' is not IPv4 loopback (127.0.0.0/8)";
    return 0;
  }
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    *error = errno_text("socket");
    return 0;
  }
  const int on = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
  socklen_t length = sizeof socket_address;
  std::uint16_t chosen = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&socket_address), sizeof socket_address) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&socket_address), &length) != 0) {
    *error = errno_text("bind " + address + ":" + std::to_string(port));
  } else {
    chosen = ntohs(socket_address.sin_port);
  }
  const int saved_errno = errno;  // choose_listener() tells EADDRINUSE from other failures
  ::close(fd);
  errno = saved_errno;
  return chosen;
}

std::uint16_t choose_port(std::string* error) {
  return free_port("127.0.0.1", 0, error);
}

// "127.0.87.1" -> "127.0.87.2"; "" past .254, so a moved listener stays in its /24.
std::string next_address(const std::string& address) {
  const auto dot = address.rfind('.');
  if (dot == std::string::npos) return "";
  const int last = std::atoi(address.c_str() + dot + 1);
  if (last >= 254) return "";
  return address.substr(0, dot + 1) + std::to_string(last + 1);
}

// Probes (bind, close) where `listener` can go now. A fixed port that is taken moves up the
// addresses, so parallel tests that all want 587 each get their own.
std::optional<PostfixInstance::BoundListener> choose_listener(
    const PostfixInstance::Listener& listener, std::string* error) {
  for (const auto& option : listener.options) {
    if (option.find_first_of(" \t\n") != std::string::npos || option.find('=') == std::string::npos)
      *error = "listener option is not 'name=value' without spaces: " + option;
  }
  if (!error->empty()) return std::nullopt;
  std::string address = listener.address;
  constexpr int kAddressAttempts = 16;
  for (int attempt = 0; attempt < kAddressAttempts && !address.empty(); ++attempt) {
    error->clear();
    const std::uint16_t port = free_port(address, listener.port, error);
    if (port != 0) return PostfixInstance::BoundListener{address, port};
    if (listener.port == 0 || errno != EADDRINUSE) return std::nullopt;
    address = next_address(address);
  }
  return std::nullopt;
}

std::string choose_listeners(const std::vector<PostfixInstance::Listener>& listeners,
                             std::vector<PostfixInstance::BoundListener>* bound) {
  bound->clear();
  for (const auto& listener : listeners) {
    std::string error;
    const auto chosen = choose_listener(listener, &error);
    if (!chosen) return error;
    bound->push_back(*chosen);
  }
  return "";
}

// Forks and execs. With a death_signal the child gets it when the calling thread dies, so a
// command cannot outlive a crashed test. Returns the child's pid or -1 with *error set.
pid_t spawn(const std::vector<std::string>& argv, const std::string& output_file,
            bool own_process_group, int death_signal, std::string* error) {
  const int output = ::open(output_file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (output < 0) {
    *error = errno_text("open " + output_file);
    return -1;
  }
  const pid_t pid = spawn_process(argv, output, output, own_process_group, death_signal, error);
  ::close(output);
  return pid;
}

// PR_SET_PDEATHSIG cannot guard the master: the kernel clears it when the master briefly takes
// the mail_owner's ids to lock its data directory. So a forked watchdog blocks on a pipe whose
// only write end the test process holds; when the test dies, however it dies (even SIGKILL), the
// read returns end-of-file and the watchdog stops the master's process group. stop() stands it
// down by writing one byte first. Returns the watchdog's pid and sets *write_fd, or -1.
pid_t start_watchdog(pid_t master_pgid, int* write_fd, std::string* error) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    *error = errno_text("pipe2");
    return -1;
  }
  const long open_max = ::sysconf(_SC_OPEN_MAX);
  const pid_t pid = ::fork();
  if (pid < 0) {
    *error = errno_text("fork");
    ::close(fds[0]);
    ::close(fds[1]);
    return -1;
  }
  if (pid == 0) {
    // Only async-signal-safe calls. Own process group: a ^C to the test must not reach it.
    ::setpgid(0, 0);
    ::prctl(PR_SET_NAME, "postfix-watchdog");
    ::dup2(fds[0], STDIN_FILENO);
    const int null = ::open("/dev/null", O_WRONLY);
    // Keep no copy of the test's stdout (ctest waits for it to close) nor of any other fd,
    // above all not the write end of another instance's watchdog pipe.
    if (null >= 0) {
      ::dup2(null, STDOUT_FILENO);
      ::dup2(null, STDERR_FILENO);
    }
    if (::close_range(STDERR_FILENO + 1, ~0U, 0) != 0)
      for (long fd = STDERR_FILENO + 1; fd < open_max; ++fd) ::close(static_cast<int>(fd));
    char byte = 0;
    ssize_t got = 0;
    do {
      got = ::read(STDIN_FILENO, &byte, 1);
    } while (got < 0 && errno == EINTR);
    if (got == 1) ::_exit(0);  // stood down: the instance is being stopped normally
    ::kill(-master_pgid, SIGTERM);
    for (int wait = 0; wait < 50 && ::kill(-master_pgid, 0) == 0; ++wait) {
      const timespec pause{0, 100 * 1000 * 1000};
      ::nanosleep(&pause, nullptr);
    }
    ::kill(-master_pgid, SIGKILL);
    ::_exit(0);
  }
  ::close(fds[0]);
  *write_fd = fds[1];
  return pid;
}

}  // namespace

// --- free functions -----------------------------------------------------------------------

std::string postfix_unavailable_reason() {
  if (::geteuid() != 0)
    return "real Postfix tests need root (master(8) starts daemons as user postfix); euid is " +
           std::to_string(::geteuid());
  for (const char* program : {kPostfix, kPostconf}) {
    if (::access(program, X_OK) != 0)
      return std::string(program) + " is missing: install Debian's postfix package";
  }
  if (::getpwnam("postfix") == nullptr) return "there is no user 'postfix' (install postfix)";
  if (::getgrnam("postdrop") == nullptr) return "there is no group 'postdrop' (install postfix)";
  return "";
}

bool postfix_required() {
  const char* value = std::getenv("RELAYAUDIT_REQUIRE_POSTFIX");
  return value != nullptr && std::string(value) == "1";
}

// --- PostfixInstance ----------------------------------------------------------------------

PostfixInstance::PostfixInstance(Mode mode, std::string dir)
    : mode_(mode),
      dir_(std::move(dir)),
      host_name_(mode == Mode::open ? "open.postfix.relayaudit.test"
                                    : "closed.postfix.relayaudit.test") {}

std::unique_ptr<PostfixInstance> PostfixInstance::start(Mode mode, std::string* error) {
  return start(mode, Options{}, error);
}

std::unique_ptr<PostfixInstance> PostfixInstance::start(
    Mode mode, const std::vector<std::string>& extra_main_cf, std::string* error) {
  Options options;
  options.main_cf = extra_main_cf;
  return start(mode, options, error);
}

std::unique_ptr<PostfixInstance> PostfixInstance::start(Mode mode, const Options& options,
                                                        std::string* error) {
  if (std::string reason = postfix_unavailable_reason(); !reason.empty()) {
    *error = reason;
    return nullptr;
  }
  become_subreaper();
  sweep_abandoned();

  std::string pattern = std::string(kDirPrefix) + "XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) {
    *error = errno_text("mkdtemp " + pattern);
    return nullptr;
  }
  std::unique_ptr<PostfixInstance> instance(new PostfixInstance(mode, pattern));
  const std::string problem = instance->launch(options);
  if (!problem.empty()) {
    *error = problem + "\n" + instance->log_tail();
    return nullptr;  // the destructor stops whatever started and removes the directory
  }
  return instance;
}

std::string PostfixInstance::launch(const Options& options) {
  std::string error;
  // Daemons run as user postfix and must reach queue/ and the maillog through dir_.
  if (::chmod(dir_.c_str(), 0755) != 0) return errno_text("chmod " + dir_);
  if (!write_file(dir_ + "/" + kOwnerFile, owner_record(), &error)) return error;
  // Postfix wants root-owned config and queue directories; keeping data/ and queue/ apart from
  // etc/ keeps `postfix check` free of ownership warnings.
  for (const char* sub : {"/etc", "/queue"}) {
    if (::mkdir((dir_ + sub).c_str(), 0755) != 0) return errno_text("mkdir " + dir_ + sub);
  }

  Settings settings = base_settings(mode_, dir_, host_name_);
  if (options.tls) {
    const std::string problem = write_tls_files(*options.tls, config_dir(), &settings);
    if (!problem.empty()) return problem;
  }
  for (const auto& line : options.main_cf) {
    const std::string text = trim(line);
    if (text.empty() || text.front() == '#') continue;
    const auto equals = text.find('=');
    if (equals == std::string::npos || trim(text.substr(0, equals)).empty())
      return "extra main.cf line is not 'name = value': " + line;
    set(&settings, trim(text.substr(0, equals)), trim(text.substr(equals + 1)));
  }
  const std::string etc = config_dir();
  const std::string command_log = dir_ + "/" + kCommandLog;
  if (!write_file(etc + "/main.cf", render_main_cf(settings), &error)) return error;

  const bool tls = options.tls.has_value();
  std::uint16_t port = choose_port(&error);
  if (port == 0) return error;
  if (error = choose_listeners(options.listeners, &listeners_); !error.empty()) return error;
  if (!write_file(etc + "/master.cf", render_master_cf(port, listeners_, options.listeners, tls),
                  &error))
    return error;

  // postconf warns about unknown parameters (a typo in an extra line) and malformed master.cf
  // entries without failing.
  const std::string postconf_out = dir_ + "/postconf.txt";
  auto result = run_command({kPostconf, "-c", etc, "-n"}, postconf_out, 10s);
  if (!result.succeeded())
    return "postconf -n: " + result.describe() + "\n" + read_file(postconf_out);
  result = run_command({kPostconf, "-c", etc, "-M"}, postconf_out, 10s);
  if (!result.succeeded())
    return "postconf -M: " + result.describe() + "\n" + read_file(postconf_out);
  std::string warnings;
  std::istringstream postconf_lines(read_file(postconf_out));
  for (std::string line; std::getline(postconf_lines, line);)
    if (line.find("warning:") != std::string::npos) warnings += line + "\n";
  if (!warnings.empty()) return "main.cf is not clean:\n" + warnings;

  const std::string daemon_out = dir_ + "/daemon_directory.txt";
  result = run_command({kPostconf, "-c", etc, "-h", "daemon_directory"}, daemon_out, 10s);
  if (!result.succeeded()) return "postconf -h daemon_directory: " + result.describe();
  const std::string master = trim(read_file(daemon_out)) + "/master";

  // Creates the queue directories with Postfix's owners and modes, then checks the install.
  result = run_command({kPostfix, "-c", etc, "check"}, command_log, 30s);
  if (!result.succeeded()) return "postfix check: " + result.describe();

  const auto deadline = Clock::now() + kReadyTimeout;
  for (int attempt = 1;; ++attempt) {
    const std::size_t log_before = maillog().size();
    // In the foreground (no -w), so it stays our child. It makes itself a session and process
    // group leader: its pid is the group id.
    master_pid_ = spawn({master, "-c", etc}, command_log, false, 0, &error);
    if (master_pid_ < 0) return "start master: " + error;
    watchdog_pid_ = start_watchdog(master_pid_, &watchdog_fd_, &error);
    if (watchdog_pid_ < 0) return "start watchdog: " + error;
    for (;;) {
      const std::string log = maillog();
      const std::string startup_log = log.size() > log_before ? log.substr(log_before) : "";
      if (::waitpid(master_pid_, nullptr, WNOHANG) == master_pid_) {
        // Most likely another process took the port first. The master reports that only to
        // syslog (it logs to maillog_file once postlogd runs), so retry on a new port.
        master_pid_ = -1;
        stand_down_watchdog();
        if (attempt < kPortAttempts) break;
        return "master exited during start-up " + std::to_string(attempt) +
               " times; its early errors go to syslog only (a taken port, or a bad master.cf)";
      }
      // A daemon that dies at start-up (e.g. smtpd on a bad restriction list) will not recover.
      if (startup_log.find(" fatal: ") != std::string::npos)
        return "a Postfix daemon failed at start-up";
      SmtpTestClient probe(2s);
      if (probe.connect(port).empty()) {
        const SmtpTestReply banner = probe.read_reply();
        // Our own banner, not some other server that took the port in the meantime.
        if (banner.ok() && banner.lines.front().rfind("220 " + host_name_ + " ", 0) == 0) {
          probe.command("QUIT");
          port_ = port;
          return "";
        }
      }
      if (Clock::now() >= deadline)
        return "no 220 banner on 127.0.0.1:" + std::to_string(port) + " within " +
               std::to_string(kReadyTimeout.count()) + " s";
      std::this_thread::sleep_for(50ms);
    }
    port = choose_port(&error);
    if (port == 0) return error;
    if (error = choose_listeners(options.listeners, &listeners_); !error.empty()) return error;
    if (!write_file(etc + "/master.cf", render_master_cf(port, listeners_, options.listeners, tls),
                    &error))
      return error;
  }
}

std::string PostfixInstance::stop() {
  if (stopped_) return "";
  stopped_ = true;
  stand_down_watchdog();
  if (master_pid_ <= 0) return "";
  std::string problems;
  const auto result =
      run_command({kPostfix, "-c", config_dir(), "stop"}, dir_ + "/" + kCommandLog, 15s);
  if (!result.succeeded()) problems += "postfix stop: " + result.describe() + ". ";
  if (!wait_until_gone(master_pid_, 10s)) {
    problems += "master " + std::to_string(master_pid_) + " ignored postfix stop; killed. ";
    signal_group(master_pid_, SIGKILL);
    wait_until_gone(master_pid_, 5s);
  }
  // The master signals its process group on the way out; wait for every daemon to go.
  if (!wait_group_gone(master_pid_, 5s)) {
    problems += "daemons outlived the master; killed. ";
    signal_group(master_pid_, SIGKILL);
    if (!wait_group_gone(master_pid_, 5s))
      problems += "process group " + std::to_string(master_pid_) + " still runs. ";
  }
  master_pid_ = -1;
  return problems;
}

void PostfixInstance::stand_down_watchdog() {
  if (watchdog_fd_ >= 0) {
    const char byte = 'q';
    [[maybe_unused]] const ssize_t written = ::write(watchdog_fd_, &byte, 1);
    ::close(watchdog_fd_);
    watchdog_fd_ = -1;
  }
  if (watchdog_pid_ > 0) {
    if (!wait_until_gone(watchdog_pid_, 5s)) {
      ::kill(watchdog_pid_, SIGKILL);
      wait_until_gone(watchdog_pid_, 5s);
    }
    watchdog_pid_ = -1;
  }
}

PostfixInstance::~PostfixInstance() {
  stop();
  const char* keep = std::getenv("RELAYAUDIT_KEEP_POSTFIX");
  if (keep != nullptr && std::string(keep) == "1") return;
  remove_tree(dir_);
}

std::string PostfixInstance::maillog() const {
  return read_file(maillog_path());
}

std::string PostfixInstance::log_tail(std::size_t lines) const {
  std::string text = "--- " + maillog_path() + " (last " + std::to_string(lines) + " lines)\n" +
                     last_lines(maillog(), lines);
  const std::string commands = read_file(dir_ + "/" + kCommandLog);
  if (!commands.empty())
    text += "\n--- " + dir_ + "/" + kCommandLog + "\n" + last_lines(commands, lines);
  return text;
}

bool PostfixInstance::wait_for_log(const std::string& needle,
                                   std::chrono::milliseconds timeout) const {
  const auto deadline = Clock::now() + timeout;
  while (maillog().find(needle) == std::string::npos) {
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(50ms);
  }
  return true;
}

void PostfixInstance::sweep_abandoned() {
  const pid_t self = ::getpid();
  for (pid_t pid : all_pids()) {
    if (pid == self) continue;
    const std::string dir = instance_dir_of_master(pid);
    if (!dir.empty() && process_running(pid) && !owner_alive(dir)) terminate_group(pid);
  }
  std::vector<std::string> abandoned;
  std::error_code ec;
  const std::string prefix_name = fs::path(kDirPrefix).filename().string();
  for (const auto& entry : fs::directory_iterator(fs::path(kDirPrefix).parent_path(), ec)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind(prefix_name, 0) == 0 && !owner_alive(entry.path().string()))
      abandoned.push_back(entry.path().string());
  }
  for (const auto& dir : abandoned) remove_tree(dir);
}

}  // namespace relayaudit::testing
