// Output paths that are not plain files: devices and FIFOs are written in place and survive,
// symlinks are followed, directories and sockets are refused before the scan, "-" is stdout, and
// temporary files of crashed writes are swept.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "support/process.hpp"
#include "support/relayaudit_binary.hpp"
#include "support/temp_dir.hpp"

namespace relayaudit {
namespace {

using nlohmann::json;
using testing::kBinary;
using testing::run_command;
using testing::TempDir;

// A small, fast lab audit: two gateways, the core scripts.
std::vector<std::string> lab_scan(std::vector<std::string> outputs) {
  std::vector<std::string> argv = {kBinary, "scan", "--lab", "-q", "--tests", "core"};
  argv.insert(argv.end(), outputs.begin(), outputs.end());
  return argv;
}

mode_t file_type(const std::filesystem::path& path) {
  struct stat info {};
  return ::lstat(path.c_str(), &info) == 0 ? (info.st_mode & S_IFMT) : 0;
}

// Reads a FIFO on a thread until its writer closes it; a writer that never comes is let go by
// release(), so a broken scan fails the test instead of hanging it.
class FifoDrain {
 public:
  explicit FifoDrain(std::filesystem::path fifo)
      : fifo_(std::move(fifo)), reader_([this] {
          const int fd = ::open(fifo_.c_str(), O_RDONLY);
          if (fd >= 0) {
            char buffer[65536];
            for (ssize_t got; (got = ::read(fd, buffer, sizeof buffer)) > 0;) {
              bytes_.append(buffer, static_cast<std::size_t>(got));
            }
            ::close(fd);
          }
          done_ = true;
        }) {}
  ~FifoDrain() { release(); }

  // Waits for the reader to see the end. A reader still waiting in open() (no writer ever came)
  // is released by a writer that opens and closes at once.
  const std::string& release() {
    if (!reader_.joinable()) return bytes_;
    while (!done_) {
      const int fd = ::open(fifo_.c_str(), O_WRONLY | O_NONBLOCK);
      if (fd >= 0) ::close(fd);
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    reader_.join();
    return bytes_;
  }

 private:
  std::filesystem::path fifo_;
  std::string bytes_;
  std::atomic<bool> done_{false};
  std::thread reader_;
};

TEST(OutputPaths, CharacterDeviceIsWrittenInPlaceByEveryOutputAndStaysADevice) {
  if (::geteuid() != 0) GTEST_SKIP() << "mknod needs root (CI runs as root)";
  TempDir dir;
  const auto null_copy = dir.path() / "null";  // /dev/null's major and minor: 1, 3
  ASSERT_EQ(::mknod(null_copy.c_str(), S_IFCHR | 0666, makedev(1, 3)), 0) << std::strerror(errno);
  const auto link = dir.path() / "null-link";
  std::filesystem::create_symlink(null_copy, link);
  const std::string device = null_copy.string();

  const auto scan =
      run_command(lab_scan({"-o", device, "--junit", device, "--sarif", link.string(), "--markdown",
                            device, "--html", link.string(), "--jsonl", device}));
  ASSERT_FALSE(scan.timed_out);
  EXPECT_EQ(scan.exit_code, 1) << "the lab has open relays; outputs change no exit code\n"
                               << scan.err;
  EXPECT_EQ(file_type(null_copy), S_IFCHR) << "the device node was replaced";
  EXPECT_EQ(file_type(link), S_IFLNK) << "the symlink to the device was replaced";

  // The same for `report`, from a real results document.
  const std::string results = (dir.path() / "results.json").string();
  ASSERT_EQ(run_command(lab_scan({"-o", results})).exit_code, 1);
  const auto report = run_command({kBinary, "report", results, "--junit", device, "--sarif", device,
                                   "--markdown", link.string(), "--html", device});
  EXPECT_EQ(report.exit_code, 1) << report.err;  // the document's verdict is open-relay
  EXPECT_EQ(file_type(null_copy), S_IFCHR);
  EXPECT_EQ(file_type(link), S_IFLNK);
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
    EXPECT_EQ(entry.path().filename().string().find(".tmp."), std::string::npos)
        << "left behind: " << entry.path();
  }
}

TEST(OutputPaths, FifoThroughASymlinkReceivesTheWholeDocumentAndStaysAFifo) {
  TempDir dir;
  const auto fifo = dir.path() / "results.fifo";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0) << std::strerror(errno);
  const auto link = dir.path() / "results.json";
  std::filesystem::create_symlink(fifo.filename(), link);  // relative, as users write them

  FifoDrain drain(fifo);
  const auto scan = run_command(lab_scan({"-o", link.string()}));
  const std::string received = drain.release();
  EXPECT_EQ(scan.exit_code, 1) << scan.err;
  EXPECT_EQ(file_type(fifo), S_IFIFO);
  EXPECT_EQ(file_type(link), S_IFLNK);
  const json document = json::parse(received, nullptr, false);
  ASSERT_FALSE(document.is_discarded())
      << "not one whole JSON document: " << received.size() << " bytes";
  EXPECT_EQ(document["summary"]["verdict"], "open-relay");
  EXPECT_EQ(document["endpoints"].size(), document["summary"]["endpoints"].get<std::size_t>());

  // A report format goes through the FIFO the same way.
  const std::string results = (dir.path() / "saved.json").string();
  testing::write_file(results, received);
  FifoDrain junit(fifo);
  const auto report = run_command({kBinary, "report", results, "--junit", link.string()});
  EXPECT_EQ(report.exit_code, 1) << report.err;
  EXPECT_NE(junit.release().find("<testsuites"), std::string::npos);
  EXPECT_EQ(file_type(fifo), S_IFIFO);
}

TEST(OutputPaths, SymlinkToARegularFileReplacesTheTargetAndKeepsTheLink) {
  TempDir dir;
  std::filesystem::create_directory(dir.path() / "archive");
  const auto target = dir.path() / "archive" / "results.json";
  testing::write_file(target.string(), "old\n");
  const auto link = dir.path() / "latest.json";
  std::filesystem::create_symlink(target, link);

  const auto scan =
      run_command(lab_scan({"-o", link.string(), "--markdown", link.string() + ".md"}));
  EXPECT_EQ(scan.exit_code, 1) << scan.err;
  EXPECT_EQ(file_type(link), S_IFLNK);
  EXPECT_EQ(std::filesystem::read_symlink(link), target);
  const json document = json::parse(testing::read_file(target.string()), nullptr, false);
  ASSERT_FALSE(document.is_discarded());
  EXPECT_EQ(document["summary"]["verdict"], "open-relay");
  EXPECT_EQ(file_type(dir.path() / "latest.json.md"), S_IFREG);
}

TEST(OutputPaths, DashWritesTheResultsToStdoutAndTheSummaryToStderr) {
  const auto scan = run_command({kBinary, "scan", "--lab", "--tests", "core", "-o", "-"});
  EXPECT_EQ(scan.exit_code, 1) << scan.err;
  const json document = json::parse(scan.out, nullptr, false);
  ASSERT_FALSE(document.is_discarded()) << "stdout is not only the results document:\n"
                                        << scan.out.substr(0, 400);
  EXPECT_EQ(document["summary"]["verdict"], "open-relay");
  // The summary names every endpoint's verdict; it is on stderr now.
  for (const auto& endpoint : document["endpoints"]) {
    EXPECT_NE(scan.err.find(endpoint["endpoint"].get<std::string>()), std::string::npos)
        << scan.err;
  }
}

TEST(OutputPaths, DirectorySocketAndTwoStdoutsAreRefusedBeforeTheScanWithExit2) {
  TempDir dir;
  const int listener = ::socket(AF_UNIX, SOCK_STREAM, 0);
  ASSERT_GE(listener, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  const std::string socket_path = (dir.path() / "report.sock").string();
  ASSERT_LT(socket_path.size(), sizeof address.sun_path);
  std::strcpy(address.sun_path, socket_path.c_str());
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);

  const std::string directory = (dir.path() / "out").string();
  std::filesystem::create_directory(directory);
  const std::string jsonl = (dir.path() / "stream.jsonl").string();
  struct Case {
    std::vector<std::string> flags;
    std::string named;
  };
  // A file cannot be created where its directory is missing or is a file: refused up front,
  // not after the scan (the results would be lost).
  const std::string missing = (dir.path() / "missing").string();
  const std::string plain_file = dir.path().string() + "/report.html.txt";
  std::ofstream(plain_file) << "not a directory";
  for (const Case& refused :
       {Case{{"-o", directory}, directory}, Case{{"--junit", socket_path}, socket_path},
        Case{{"--jsonl", directory}, directory}, Case{{"-o", "-", "--sarif", "-"}, "--sarif"},
        Case{{"-o", missing + "/results.json"}, "its directory " + missing + " does not exist"},
        Case{{"--jsonl", missing + "/s.jsonl"}, "its directory " + missing + " does not exist"},
        Case{{"--markdown", plain_file + "/x.md"}, plain_file + "/x.md: Not a directory"}}) {
    std::vector<std::string> flags = refused.flags;
    flags.insert(flags.end(), {"--html", (dir.path() / "report.html").string()});
    const auto scan = run_command(lab_scan(flags));
    EXPECT_EQ(scan.exit_code, 2) << scan.err;
    EXPECT_NE(scan.err.find(refused.named), std::string::npos) << scan.err;
    EXPECT_NE(scan.err.find("nothing was scanned"), std::string::npos) << scan.err;
    EXPECT_FALSE(std::filesystem::exists(dir.path() / "report.html")) << "a scan ran";
  }
  EXPECT_EQ(file_type(directory), S_IFDIR);
  EXPECT_EQ(file_type(socket_path), S_IFSOCK);

  const auto report = run_command({kBinary, "report", "results.json", "--html", directory});
  EXPECT_EQ(report.exit_code, 2) << report.err;
  EXPECT_NE(report.err.find(directory), std::string::npos) << report.err;
  ::close(listener);
}

// A PID that belonged to a process that has exited and been reaped.
pid_t dead_pid() {
  const pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  int status = 0;
  ::waitpid(child, &status, 0);
  return child;
}

TEST(OutputPaths, NextRunRemovesTempFilesOfDeadWritersAndKeepsLiveOnes) {
  TempDir dir;
  const pid_t dead = dead_pid();
  ASSERT_EQ(::kill(dead, 0), -1);
  const std::string big(1 << 20, 'x');  // what a killed writer leaves: part of a document
  const auto stale = dir.write(".res.json.tmp." + std::to_string(dead) + ".0.123456", big);
  const auto live = dir.write(".res.json.tmp." + std::to_string(::getpid()) + ".3.42", big);
  const auto other_file = dir.write(".other.json.tmp." + std::to_string(dead) + ".0.1", "x");
  const auto not_ours = dir.write(".res.json.tmp.notes", "x");

  const auto scan = run_command(lab_scan({"-o", (dir.path() / "res.json").string()}));
  EXPECT_EQ(scan.exit_code, 1) << scan.err;
  EXPECT_FALSE(std::filesystem::exists(stale)) << "the dead writer's temp file is still there";
  EXPECT_TRUE(std::filesystem::exists(live)) << "a live writer's temp file was removed";
  EXPECT_TRUE(std::filesystem::exists(other_file)) << "another output's temp file was removed";
  EXPECT_TRUE(std::filesystem::exists(not_ours));
  const json document =
      json::parse(testing::read_file((dir.path() / "res.json").string()), nullptr, false);
  EXPECT_FALSE(document.is_discarded());
}

}  // namespace
}  // namespace relayaudit
