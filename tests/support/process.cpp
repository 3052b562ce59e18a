// fork/exec with captured output and a deadline, for end-to-end and Postfix tests.
#include "support/process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace relayaudit::testing {
namespace {

using Clock = std::chrono::steady_clock;

// Waits for `pid` until `limit`; on timeout kills it (and its group when it has its own).
CommandResult wait_bounded(pid_t pid, std::chrono::milliseconds limit, bool group) {
  CommandResult result;
  const auto deadline = Clock::now() + limit;
  int status = 0;
  for (;;) {
    const pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) break;
    if (done < 0 && errno != EINTR) {
      result.error = std::string("waitpid: ") + std::strerror(errno);
      return result;
    }
    if (Clock::now() >= deadline) {
      result.timed_out = true;
      ::kill(group ? -pid : pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      return result;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) result.signal = WTERMSIG(status);
  return result;
}

}  // namespace

std::string CommandResult::describe() const {
  if (!error.empty()) return error;
  if (timed_out) return "timed out and was killed";
  if (signal != 0) return "killed by signal " + std::to_string(signal);
  return "exit code " + std::to_string(exit_code);
}

pid_t spawn_process(const std::vector<std::string>& argv, int out_fd, int err_fd,
                    bool own_process_group, int death_signal, std::string* error) {
  std::vector<char*> args;
  for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) {
    *error = std::string("fork: ") + std::strerror(errno);
    return -1;
  }
  if (pid != 0) return pid;
  // Only async-signal-safe calls from here to exec.
  if (own_process_group) ::setpgid(0, 0);
  if (death_signal != 0) {
    ::prctl(PR_SET_PDEATHSIG, death_signal);
    if (::getppid() != parent) ::_exit(126);
  }
  const int input = ::open("/dev/null", O_RDONLY);
  if (input >= 0) ::dup2(input, STDIN_FILENO);
  if (out_fd >= 0) ::dup2(out_fd, STDOUT_FILENO);
  if (err_fd >= 0) ::dup2(err_fd, STDERR_FILENO);
  ::execvp(args[0], args.data());
  ::_exit(127);
}

std::string make_temp_dir() {
  char pattern[] = "/tmp/relayaudit-test-XXXXXX";
  if (mkdtemp(pattern) == nullptr) throw std::runtime_error("mkdtemp failed");
  return pattern;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "";
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

void write_file(const std::string& path, const std::string& content) {
  std::ofstream(path, std::ios::binary) << content;
}

std::string last_lines(const std::string& text, std::size_t lines) {
  std::size_t start = text.size();
  if (start > 0 && text[start - 1] == '\n') --start;
  std::size_t found = 0;
  while (start > 0 && found < lines) {
    --start;
    if (text[start] == '\n') ++found;
  }
  if (found == lines) ++start;  // skip the newline that ends the line before the tail
  return text.substr(start);
}

CommandResult run_command(const std::vector<std::string>& argv, std::chrono::milliseconds limit) {
  const std::string dir = make_temp_dir();
  const std::string out_path = dir + "/stdout";
  const std::string err_path = dir + "/stderr";
  const int out_fd = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  const int err_fd = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  std::string error;
  const pid_t pid = spawn_process(argv, out_fd, err_fd, true, 0, &error);
  ::close(out_fd);
  ::close(err_fd);
  CommandResult result;
  if (pid < 0) {
    result.error = error;
  } else {
    result = wait_bounded(pid, limit, true);
  }
  if (result.exit_code == 127) result.error = "cannot execute " + argv.front();
  result.out = read_file(out_path);
  result.err = read_file(err_path);
  ::unlink(out_path.c_str());
  ::unlink(err_path.c_str());
  ::rmdir(dir.c_str());
  return result;
}

CommandResult run_command(const std::vector<std::string>& argv, const std::string& output_file,
                          std::chrono::milliseconds timeout) {
  CommandResult result;
  const int output = ::open(output_file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (output < 0) {
    result.error = "open " + output_file + ": " + std::strerror(errno);
    return result;
  }
  const pid_t pid = spawn_process(argv, output, output, true, SIGKILL, &result.error);
  ::close(output);
  if (pid < 0) return result;
  result = wait_bounded(pid, timeout, true);
  if (result.exit_code == 127) result.error = "cannot execute " + argv.front();
  return result;
}

BackgroundProcess::BackgroundProcess(const std::vector<std::string>& argv) {
  std::string error;
  pid_ = spawn_process(argv, -1, -1, false, SIGTERM, &error);
}

BackgroundProcess::~BackgroundProcess() {
  stop();
}

int BackgroundProcess::stop() {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  const CommandResult result = wait_bounded(pid_, std::chrono::seconds(10), false);
  pid_ = -1;
  return result.timed_out ? -1 : result.exit_code;
}

}  // namespace relayaudit::testing
