// The --jsonl stream as a crash leaves it: a torn last line is cut off on --resume, a second run
// never appends to an old stream by accident, and resumed lines must be endpoint lines.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <set>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "support/process.hpp"
#include "support/relayaudit_binary.hpp"
#include "support/temp_dir.hpp"

namespace relayaudit {
namespace {

using testing::kBinary;
using testing::run_command;
using testing::TempDir;

// Nothing listens on loopback port 1: that endpoint is audited (refused) at once.
const std::string kRefused = "127.0.0.1:1";

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

bool is_header(const std::string& line) {
  const auto parsed = nlohmann::json::parse(line, nullptr, false);
  return parsed.is_object() && !parsed.contains("endpoint") && parsed.contains("scripts");
}

// The endpoint lines of a stream, without its header lines.
std::vector<std::string> endpoint_lines_of(const std::string& text) {
  std::vector<std::string> lines;
  for (auto& line : lines_of(text)) {
    if (!is_header(line)) lines.push_back(std::move(line));
  }
  return lines;
}

// What must hold for a stream after any resume: a header line first, then JSON objects, every
// endpoint once.
std::string stream_problem(const std::string& text, const std::set<std::string>& expected) {
  if (!text.empty() && text.back() != '\n') return "does not end in a newline";
  const auto lines = lines_of(text);
  if (!lines.empty() && !is_header(lines.front())) return "the first line is no header";
  std::set<std::string> seen;
  for (const auto& line : lines) {
    const auto parsed = nlohmann::json::parse(line, nullptr, false);
    if (parsed.is_discarded() || !parsed.is_object()) return "a line is not a JSON object";
    if (is_header(line)) continue;
    if (!seen.insert(parsed.value("endpoint", "")).second) return "an endpoint appears twice";
  }
  return seen == expected ? "" : "not every endpoint, or others";
}

// A lab gateway pair and the refused endpoint, as a targets file.
struct StreamFixture {
  explicit StreamFixture(const TempDir& dir)
      : endpoints((dir.path() / "endpoints.txt").string()),
        targets((dir.path() / "targets.txt").string()),
        lab({kBinary, "lab", "--profile", "closed,open", "--endpoints-file", endpoints}) {
    for (int i = 0; i < 500 && testing::read_file(endpoints).empty(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    testing::write_file(targets, testing::read_file(endpoints) + kRefused + "\n");
  }
  std::vector<std::string> scan(const std::string& stream_flag, const std::string& stream) const {
    return {kBinary,     "scan", "-q", "-f", targets, "--tests", "relay-null-sender",
            stream_flag, stream};
  }
  std::string endpoints;
  std::string targets;
  testing::BackgroundProcess lab;
};

TEST(JsonlStream, TornLastLineIsCutOffAndResumedAtOffsetsAcrossTheLine) {
  TempDir dir;
  StreamFixture fixture(dir);
  const std::string written = (dir.path() / "written.jsonl").string();
  const auto first = run_command(fixture.scan("--jsonl", written));
  ASSERT_EQ(first.exit_code, 1) << first.describe() << first.err;  // the open gateway
  const std::vector<std::string> all = lines_of(testing::read_file(written));
  ASSERT_EQ(all.size(), 4u) << "a header line, then one line per endpoint";
  ASSERT_TRUE(is_header(all[0])) << all[0];
  std::vector<std::string> lines(all.begin() + 1, all.end());
  std::set<std::string> expected;
  for (const auto& line : lines) expected.insert(nlohmann::json::parse(line).at("endpoint"));
  // The refused endpoint's line goes last: it is the shortest, and re-auditing it is instant.
  std::stable_partition(lines.begin(), lines.end(), [](const std::string& line) {
    return line.find("\"endpoint\":\"" + kRefused + "\"") == std::string::npos;
  });
  const std::string complete = all[0] + "\n" + lines[0] + "\n" + lines[1] + "\n";
  const std::string last = lines[2] + "\n";

  // Cuts from "nothing of the last line" to "all of it but the newline": every offset near both
  // ends, where a reader's edge cases are, and every 23rd between (each cut is a process; every
  // 7th took 260 s under ASan in CI).
  std::vector<std::size_t> cuts;
  for (std::size_t cut = 0; cut < last.size(); ++cut) {
    if (cut < 32 || cut + 32 >= last.size() || cut % 23 == 0) cuts.push_back(cut);
  }
  std::atomic<std::size_t> next{0};
  std::vector<std::string> failures(last.size());
  const auto worker = [&] {
    for (std::size_t at; (at = next++) < cuts.size();) {
      const std::size_t cut = cuts[at];
      const std::string stream = (dir.path() / ("cut-" + std::to_string(cut) + ".jsonl")).string();
      testing::write_file(stream, complete + last.substr(0, cut));
      const auto run = run_command(fixture.scan("--resume", stream));
      std::string& failure = failures[cut];
      if (run.exit_code != 1) failure = "exit " + std::to_string(run.exit_code) + ": " + run.err;
      // A torn line is reported naming the file and its line.
      if (cut > 0 && run.err.find(stream + ":4: ") == std::string::npos) {
        failure += " torn line not reported: " + run.err;
      }
      if (const auto problem = stream_problem(testing::read_file(stream), expected);
          !problem.empty()) {
        failure += " stream: " + problem;
      }
      std::filesystem::remove(stream);
    }
  };
  std::vector<std::thread> workers;
  for (int i = 0; i < 4; ++i) workers.emplace_back(worker);
  for (auto& thread : workers) thread.join();
  for (std::size_t cut = 0; cut < failures.size(); ++cut) {
    EXPECT_EQ(failures[cut], "") << "cut at byte " << cut << " of the last line";
  }
}

TEST(JsonlStream, ASecondRunNeedsResumeOrOverwrite) {
  TempDir dir;
  const std::string stream = (dir.path() / "stream.jsonl").string();
  const std::vector<std::string> scan = {
      kBinary, "scan", "-q", kRefused, "--tests", "relay-null-sender", "--jsonl", stream};
  ASSERT_EQ(run_command(scan).exit_code, 3) << "an unreachable endpoint";
  const std::string before = testing::read_file(stream);
  ASSERT_EQ(lines_of(before).size(), 2u) << "a header line and the endpoint";

  const auto again = run_command(scan);
  EXPECT_EQ(again.exit_code, 2);
  EXPECT_NE(again.err.find("--jsonl " + stream), std::string::npos) << again.err;
  EXPECT_NE(again.err.find("--resume"), std::string::npos) << again.err;
  EXPECT_NE(again.err.find("--jsonl-overwrite"), std::string::npos) << again.err;
  EXPECT_EQ(testing::read_file(stream), before) << "the stream is left as it was";

  auto overwrite = scan;
  overwrite.push_back("--jsonl-overwrite");
  EXPECT_EQ(run_command(overwrite).exit_code, 3) << "rescanned: still unreachable";
  EXPECT_EQ(stream_problem(testing::read_file(stream), {kRefused}), "");
  EXPECT_EQ(endpoint_lines_of(testing::read_file(stream)).size(), 1u) << "listed once, not twice";

  overwrite.insert(overwrite.end(), {"--resume", stream});
  EXPECT_EQ(run_command(overwrite).exit_code, 2) << "--resume and --jsonl-overwrite conflict";
}

// A mistyped --resume path is an error, not a silent full rescan into a new file;
// --resume-if-exists is the first run of a scheduled job.
TEST(JsonlStream, AMissingResumeFileIsAnErrorUnlessResumeIfExists) {
  TempDir dir;
  const std::string stream = (dir.path() / "first-run.jsonl").string();
  const std::vector<std::string> scan = {
      kBinary, "scan", "-q", kRefused, "--tests", "relay-null-sender", "--resume", stream};
  const auto missing = run_command(scan);
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("--resume " + stream + ": no such file"), std::string::npos)
      << missing.err;
  EXPECT_FALSE(std::filesystem::exists(stream));
  auto first_run = scan;
  first_run.push_back("--resume-if-exists");
  EXPECT_EQ(run_command(first_run).exit_code, 3) << "unreachable, and the stream begun";
  EXPECT_EQ(stream_problem(testing::read_file(stream), {kRefused}), "");
  // The next run resumes it: nothing left to audit, the endpoint read back.
  const auto second = run_command(first_run);
  EXPECT_EQ(second.exit_code, 3) << second.err;
  EXPECT_EQ(endpoint_lines_of(testing::read_file(stream)).size(), 1u);
  const auto alone = run_command({kBinary, "scan", "-q", kRefused, "--resume-if-exists"});
  EXPECT_EQ(alone.exit_code, 2);
  EXPECT_NE(alone.err.find("--resume-if-exists needs --resume FILE"), std::string::npos);
}

TEST(JsonlStream, ResumedLinesMustBeEndpointLinesAsTheWriterWritesThem) {
  TempDir dir;
  // A real line, to build the bad streams from.
  const std::string real = (dir.path() / "real.jsonl").string();
  ASSERT_EQ(run_command(
                {kBinary, "scan", "-q", kRefused, "--tests", "relay-null-sender", "--jsonl", real})
                .exit_code,
            3);
  const std::string header = lines_of(testing::read_file(real)).at(0);
  const std::string line = endpoint_lines_of(testing::read_file(real)).at(0);
  auto old_version = nlohmann::json::parse(header);
  old_version["schema_version"] = "3.0";
  auto no_scripts = nlohmann::json::parse(header);
  no_scripts.erase("scripts");
  auto without_tests = nlohmann::json::parse(line);
  without_tests.erase("tests");
  auto bad_reply = nlohmann::json::parse(line);
  bad_reply["banner"] = {{"code", "220"}};

  const std::string head = header + "\n";
  const std::vector<std::pair<std::string, std::string>> cases = {
      {head + "42\n" + line + "\n", ":2: "},
      {head + "[1,2,3]\n" + line + "\n", ":2: "},
      {head + "{\"endpoint\": 5}\n" + line + "\n", ":2: "},
      {head + "{\"endpoint\": \"127.0.0.1:9\"}\n", ":2: "},
      {head + "{\"id\": 1e999}\n" + line + "\n", ":2: "},
      {head + line + "\n" + without_tests.dump() + "\n", ":3: "},
      {head + line + "\n" + bad_reply.dump() + "\n", ":3: "},
      {head + line + "\n" + line + "\n", ":3: "},  // the same endpoint twice
      {old_version.dump() + "\n" + line + "\n", ":1: "},
      {no_scripts.dump() + "\n" + line + "\n", ":1: "},
      // Without a header a line was written by 1.x, and must have the 1.x shape.
      {line + "\n", ":1: "},
  };
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const auto& [content, where] = cases[i];
    SCOPED_TRACE(content.substr(0, 80));
    const std::string stream = dir.write("bad-" + std::to_string(i) + ".jsonl", content).string();
    const auto run = run_command({kBinary, "scan", "-q", kRefused, "--resume", stream});
    EXPECT_EQ(run.exit_code, 2) << run.describe() << run.err;
    EXPECT_NE(run.err.find(stream + where), std::string::npos) << run.err;
    EXPECT_EQ(testing::read_file(stream), content) << "a rejected stream is not touched";
  }
  const auto message = run_command({kBinary, "scan", "-q", kRefused, "--resume",
                                    dir.write("only.jsonl",
                                              "{\"endpoint\": "
                                              "\"127.0.0.1:9\"}\n")
                                        .string()});
  EXPECT_NE(message.err.find("/address: missing"), std::string::npos) << message.err;
}

TEST(JsonlStream, ResumedResultsAreADocumentReportAndDiffAccept) {
  TempDir dir;
  const std::string stream = (dir.path() / "stream.jsonl").string();
  const std::string results = (dir.path() / "results.json").string();
  ASSERT_EQ(run_command({kBinary, "scan", "-q", kRefused, "--tests", "relay-null-sender", "--jsonl",
                         stream})
                .exit_code,
            3);
  // Resume with one more target: the first comes from the stream, the second is audited now.
  const auto resumed = run_command({kBinary, "scan", "-q", kRefused, "127.0.0.1:2", "--tests",
                                    "relay-null-sender", "--resume", stream, "-o", results});
  ASSERT_EQ(resumed.exit_code, 3) << "both unreachable: " << resumed.err;
  EXPECT_EQ(nlohmann::json::parse(testing::read_file(results)).at("endpoints").size(), 2u);
  const auto report =
      run_command({kBinary, "report", results, "--html", (dir.path() / "r.html").string(),
                   "--junit", (dir.path() / "j.xml").string()});
  EXPECT_EQ(report.exit_code, 0) << report.err;
  const auto diff = run_command({kBinary, "diff", results, results});
  EXPECT_EQ(diff.exit_code, 0) << diff.err;
}

}  // namespace
}  // namespace relayaudit
