// write_results_file: atomic replacement and errors that name the path.
#include "reports/results_json.hpp"
#include "support/sample_scan.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

namespace relayaudit {
namespace {

namespace fs = std::filesystem;

class ResultsFile : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("relayaudit-reports-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  static std::string read(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
  }

  std::size_t entries() const {
    return static_cast<std::size_t>(std::distance(fs::directory_iterator(dir_), {}));
  }

  fs::path dir_;
};

TEST_F(ResultsFile, WritesTheDocumentAndLeavesNoTemporaryFile) {
  const nlohmann::json document = results_to_json(ScanResult{});
  const fs::path path = dir_ / "results.json";
  EXPECT_EQ(write_results_file(path, document), std::nullopt);
  EXPECT_EQ(read(path), results_to_string(document));
  EXPECT_EQ(nlohmann::json::parse(read(path)), document);
  EXPECT_EQ(entries(), 1u);
}

TEST_F(ResultsFile, ReplacesAnEarlierFile) {
  const fs::path path = dir_ / "results.json";
  std::ofstream(path) << "old";
  ASSERT_EQ(write_results_file(path, {{"new", true}}), std::nullopt);
  EXPECT_EQ(nlohmann::json::parse(read(path)), nlohmann::json({{"new", true}}));
  EXPECT_EQ(entries(), 1u);
}

TEST_F(ResultsFile, MissingDirectoryIsAnErrorNamingThePath) {
  const fs::path path = dir_ / "no-such-dir" / "results.json";
  const auto error = write_results_file(path, {{"x", 1}});
  ASSERT_TRUE(error.has_value());
  EXPECT_NE(error->find(path.string()), std::string::npos) << *error;
  EXPECT_NE(error->find("No such file or directory"), std::string::npos) << *error;
  EXPECT_FALSE(fs::exists(path));
}

TEST_F(ResultsFile, FailedRenameLeavesTheEarlierFileIntact) {
  // A directory at the destination makes the final rename fail after the data was written.
  const fs::path path = dir_ / "results.json";
  fs::create_directories(path / "occupied");
  const auto error = write_results_file(path, {{"x", 1}});
  ASSERT_TRUE(error.has_value());
  EXPECT_NE(error->find(path.string()), std::string::npos) << *error;
  EXPECT_TRUE(fs::is_directory(path / "occupied"));
  EXPECT_EQ(entries(), 1u);  // the temporary file was removed
}

TEST_F(ResultsFile, UnwritableDirectoryKeepsTheEarlierFile) {
  if (::geteuid() == 0) GTEST_SKIP() << "root ignores directory permissions";
  const fs::path path = dir_ / "results.json";
  std::ofstream(path) << "earlier";
  fs::permissions(dir_, fs::perms::owner_read | fs::perms::owner_exec);
  const auto error = write_results_file(path, {{"x", 1}});
  fs::permissions(dir_, fs::perms::owner_all);
  ASSERT_TRUE(error.has_value());
  EXPECT_NE(error->find(path.string()), std::string::npos) << *error;
  EXPECT_EQ(read(path), "earlier");
}

}  // namespace
}  // namespace relayaudit

namespace relayaudit {
namespace {

TEST(StreamedResultsFile, HoldsTheSameDocumentAsTheInMemoryOne) {
  const std::filesystem::path path =
      std::filesystem::temp_directory_path() /
      ("relayaudit-streamed-" + std::to_string(::getpid()) + ".json");
  for (const ScanResult& result : {ScanResult{}, testing::make_sample_scan()}) {
    ASSERT_EQ(write_results_file(path, result), std::nullopt);
    std::ifstream in(path, std::ios::binary);
    const auto streamed = nlohmann::json::parse(in);
    EXPECT_EQ(streamed, nlohmann::json::parse(results_to_string(results_to_json(result))));
    EXPECT_EQ(streamed["endpoints"].size(), result.endpoints.size());
  }
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace relayaudit
