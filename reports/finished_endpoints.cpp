// Finished endpoints: digests in memory, texts in the spill file, listed in document order.
#include "reports/finished_endpoints.hpp"

#include <algorithm>
#include <numeric>

namespace relayaudit {

std::optional<std::string> FinishedEndpoints::keep_texts(const std::filesystem::path& directory) {
  return spill_.open(directory);
}

std::optional<std::string> FinishedEndpoints::add_resumed(EndpointDigest digest,
                                                          std::string_view text) {
  return keep(std::move(digest), text, {0, resumed_++});
}

std::optional<std::string> FinishedEndpoints::add(EndpointDigest digest, std::string_view text,
                                                  std::size_t order) {
  return keep(std::move(digest), text, {1, order});
}

std::optional<std::string> FinishedEndpoints::keep(EndpointDigest digest, std::string_view text,
                                                   std::pair<int, std::size_t> order) {
  if (spill_.is_open()) {
    auto place = spill_.append(text);
    if (auto* error = std::get_if<std::string>(&place)) return *error;
    places_.push_back(std::get<EndpointSpill::Place>(place));
  }
  digests_.push_back(std::move(digest));
  orders_.push_back(order);
  return std::nullopt;
}

void FinishedEndpoints::arrange() {
  std::vector<std::size_t> by_order(digests_.size());
  std::iota(by_order.begin(), by_order.end(), std::size_t{0});
  std::stable_sort(by_order.begin(), by_order.end(),
                   [&](std::size_t a, std::size_t b) { return orders_[a] < orders_[b]; });
  std::vector<EndpointDigest> digests;
  std::vector<EndpointSpill::Place> places;
  std::vector<std::pair<int, std::size_t>> orders;
  digests.reserve(by_order.size());
  for (std::size_t i : by_order) {
    digests.push_back(std::move(digests_[i]));
    orders.push_back(orders_[i]);
    if (!places_.empty()) places.push_back(places_[i]);
  }
  digests_ = std::move(digests);
  places_ = std::move(places);
  orders_ = std::move(orders);
}

std::optional<std::string> FinishedEndpoints::read_text(std::size_t index,
                                                        std::string& text) const {
  if (index >= places_.size()) return "spill file: no endpoint " + std::to_string(index);
  return spill_.read(places_[index], text);
}

bool FinishedEndpoints::for_each_text(const std::function<bool(std::string_view)>& each,
                                      std::optional<std::string>& error) const {
  std::string text;
  for (const auto& place : places_) {
    if ((error = spill_.read(place, text))) return false;
    if (!each(text)) return false;
  }
  return true;
}

}  // namespace relayaudit
