// The endpoints of a results document, read one at a time: from a document in memory, or from a
// scan's spill file, so a report of a scan of any size is written without the whole document.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "reports/finished_endpoints.hpp"

namespace relayaudit {

class EndpointSource {
 public:
  virtual ~EndpointSource() = default;
  virtual std::size_t size() const = 0;
  // The verdict of endpoint `index` (document order) without reading the endpoint; "" if none.
  virtual std::string verdict(std::size_t index) const = 0;
  // Calls `each` with endpoint `index`; from a spill it is read and parsed anew each time.
  virtual void visit(std::size_t index,
                     const std::function<void(const nlohmann::json& endpoint)>& each) const = 0;
};

// The "endpoints" array of a document in memory (missing or not an array: none).
class DocumentEndpoints final : public EndpointSource {
 public:
  explicit DocumentEndpoints(const nlohmann::json& results);
  std::size_t size() const override;
  std::string verdict(std::size_t index) const override;
  void visit(std::size_t index,
             const std::function<void(const nlohmann::json&)>& each) const override;

 private:
  const nlohmann::json* endpoints_ = nullptr;
};

// The endpoints a scan spilled (FinishedEndpoints, arranged). A failed read is kept in error()
// and the endpoint is skipped: the caller reports it and fails the output.
class SpilledEndpoints final : public EndpointSource {
 public:
  explicit SpilledEndpoints(const FinishedEndpoints& finished) : finished_(finished) {}
  std::size_t size() const override { return finished_.size(); }
  std::string verdict(std::size_t index) const override;
  void visit(std::size_t index,
             const std::function<void(const nlohmann::json&)>& each) const override;
  const std::optional<std::string>& error() const { return error_; }

 private:
  const FinishedEndpoints& finished_;
  mutable std::optional<std::string> error_;
  mutable std::string text_;  // the buffer each endpoint is read into
};

// Endpoint positions worst verdict first (open-relay, inconclusive, unreachable, closed,
// anything else), document order within a verdict: the order every report lists them in.
std::vector<std::size_t> worst_first(const EndpointSource& endpoints);

}  // namespace relayaudit
