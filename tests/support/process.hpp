// Runs a program as a child process with a wall-clock limit, capturing its output.
#pragma once

#include <sys/types.h>
#include <chrono>
#include <string>
#include <vector>

namespace relayaudit::testing {

struct CommandResult {
  int exit_code = -1;  // -1 when killed by a signal or the time limit
  bool timed_out = false;
  std::string out;
  std::string err;
};

CommandResult run_command(const std::vector<std::string>& argv,
                          std::chrono::milliseconds limit = std::chrono::seconds(60));

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
std::string read_file(const std::string& path);
void write_file(const std::string& path, const std::string& content);

}  // namespace relayaudit::testing
