// The endpoints a scan has finished: their full results in a spill file, and in memory only a
// digest each (what the summary, the domain verdicts and the exit code need).
#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "reports/endpoint_digest.hpp"
#include "reports/endpoint_spill.hpp"

namespace relayaudit {

class FinishedEndpoints {
 public:
  // Keeps every endpoint's text from now on, in a spill file in `directory`. Without it only
  // the digests are kept (no output needs the endpoints themselves).
  std::optional<std::string> keep_texts(const std::filesystem::path& directory);
  bool keeps_texts() const { return spill_.is_open(); }

  // An endpoint of an earlier run (--resume): listed first, in the order they are added.
  std::optional<std::string> add_resumed(EndpointDigest digest, std::string_view text);
  // An endpoint of this run; `order` is its place among them (the scan's target order).
  std::optional<std::string> add(EndpointDigest digest, std::string_view text, std::size_t order);

  // Puts everything in document order; call once every endpoint is in.
  void arrange();
  std::size_t size() const { return digests_.size(); }
  const std::vector<EndpointDigest>& digests() const { return digests_; }

  // Reads each endpoint's text back in turn, in the current order (arrange() first); false when
  // `each` returned false or a read failed (`error` says why).
  bool for_each_text(const std::function<bool(std::string_view text)>& each,
                     std::optional<std::string>& error) const;
  // The text of endpoint `index` (current order) into `text`; an error when it cannot be read.
  std::optional<std::string> read_text(std::size_t index, std::string& text) const;

 private:
  std::optional<std::string> keep(EndpointDigest digest, std::string_view text,
                                  std::pair<int, std::size_t> order);

  EndpointSpill spill_;
  std::vector<EndpointDigest> digests_;
  std::vector<EndpointSpill::Place> places_;         // parallel to digests_, when spilling
  std::vector<std::pair<int, std::size_t>> orders_;  // (0 resumed / 1 this run, position)
  std::size_t resumed_ = 0;
};

}  // namespace relayaudit
