// Finished endpoints on disk while a scan runs, so memory does not grow with their number: an
// unnamed file (O_TMPFILE, or created and unlinked at once), left behind by no way of ending.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace relayaudit {

class EndpointSpill {
 public:
  // Where one endpoint's text is in the file.
  struct Place {
    std::uint64_t offset = 0;
    std::uint64_t size = 0;
  };

  EndpointSpill() = default;
  ~EndpointSpill();
  EndpointSpill(const EndpointSpill&) = delete;
  EndpointSpill& operator=(const EndpointSpill&) = delete;

  // Creates the file in `directory`; an error names the directory and the system reason.
  std::optional<std::string> open(const std::filesystem::path& directory);
  bool is_open() const { return fd_ >= 0; }

  std::variant<Place, std::string> append(std::string_view text);
  // Reads the text at `place` into `text` (replacing its content).
  std::optional<std::string> read(const Place& place, std::string& text) const;

 private:
  int fd_ = -1;
  std::uint64_t size_ = 0;
  std::filesystem::path directory_;
};

// Where a scan's spill file goes: the directory of the results file when -o names a file (the
// disk the user chose for the results), else $TMPDIR, else /tmp.
std::filesystem::path spill_directory(const std::string& output);

}  // namespace relayaudit
