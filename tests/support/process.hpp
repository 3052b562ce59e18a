// Child processes for tests: spawn with a bounded wait, output captured or appended to a file.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

namespace relayaudit::testing {

// How a command ended.
struct CommandResult {
  int exit_code = -1;      // exit status; -1 when it did not exit normally
  int signal = 0;          // the signal that ended it, or 0
  bool timed_out = false;  // killed (with its process group) after the deadline
  std::string error;       // fork/exec/wait failure, or ""
  std::string out;         // captured stdout (run_command without an output file)
  std::string err;         // captured stderr (idem)
  bool succeeded() const { return error.empty() && !timed_out && exit_code == 0; }
  std::string describe() const;
};

// Forks and execs argv (PATH searched); stdin is /dev/null; stdout/stderr go to the given fds
// (-1 keeps ours). `own_process_group` lets a timeout kill the child's children too;
// `death_signal` (0: none) is sent to the child if this process dies. Returns -1 and sets *error.
pid_t spawn_process(const std::vector<std::string>& argv, int out_fd, int err_fd,
                    bool own_process_group, int death_signal, std::string* error);

// Runs argv with stdout and stderr captured into the result, killed after `limit`.
CommandResult run_command(const std::vector<std::string>& argv,
                          std::chrono::milliseconds limit = std::chrono::seconds(60));

// Runs argv with stdout+stderr appended to `output_file`, bounded by `timeout`.
CommandResult run_command(const std::vector<std::string>& argv, const std::string& output_file,
                          std::chrono::milliseconds timeout);

// A child left running (e.g. `relayaudit lab`); stopped with SIGTERM on destruction.
class BackgroundProcess {
 public:
  explicit BackgroundProcess(const std::vector<std::string>& argv);
  ~BackgroundProcess();
  BackgroundProcess(const BackgroundProcess&) = delete;
  BackgroundProcess& operator=(const BackgroundProcess&) = delete;
  // Sends SIGTERM and waits (bounded); returns the exit code, -1 if it had to be killed.
  int stop();

 private:
  pid_t pid_ = -1;
};

std::string make_temp_dir();
// The file's content, or "" when it cannot be read.
std::string read_file(const std::string& path);
void write_file(const std::string& path, const std::string& content);
// The last `lines` lines of `text`.
std::string last_lines(const std::string& text, std::size_t lines);

}  // namespace relayaudit::testing
