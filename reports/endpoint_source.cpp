// Endpoint sources for the report writers: a document's array, or a scan's spill file.
#include "reports/endpoint_source.hpp"

#include <algorithm>
#include <numeric>

#include "reports/xml_text.hpp"

namespace relayaudit {

DocumentEndpoints::DocumentEndpoints(const nlohmann::json& results) {
  if (!results.is_object()) return;
  const auto found = results.find("endpoints");
  if (found != results.end() && found->is_array()) endpoints_ = &*found;
}

std::size_t DocumentEndpoints::size() const {
  return endpoints_ == nullptr ? 0 : endpoints_->size();
}

std::string DocumentEndpoints::verdict(std::size_t index) const {
  const nlohmann::json& endpoint = (*endpoints_)[index];
  if (!endpoint.is_object()) return "";
  const auto found = endpoint.find("verdict");
  return found != endpoint.end() && found->is_string() ? found->get<std::string>() : "";
}

void DocumentEndpoints::visit(std::size_t index,
                              const std::function<void(const nlohmann::json&)>& each) const {
  each((*endpoints_)[index]);
}

std::string SpilledEndpoints::verdict(std::size_t index) const {
  return std::string(to_string(finished_.digests()[index].verdict));
}

void SpilledEndpoints::visit(std::size_t index,
                             const std::function<void(const nlohmann::json&)>& each) const {
  if (auto error = finished_.read_text(index, text_)) {
    if (!error_) error_ = std::move(error);
    return;
  }
  each(nlohmann::json::parse(text_));
}

std::vector<std::size_t> worst_first(const EndpointSource& endpoints) {
  std::vector<std::size_t> order(endpoints.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::vector<int> rank(endpoints.size());
  for (std::size_t i = 0; i < rank.size(); ++i) rank[i] = verdict_rank(endpoints.verdict(i));
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return rank[a] < rank[b]; });
  return order;
}

}  // namespace relayaudit
