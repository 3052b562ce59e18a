// Runs a LabServer on its own loop thread; tests reach it through sockets and posted tasks only.
#pragma once

#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <uv.h>

#include "lab/lab_server.hpp"

namespace relayaudit::testing {

class LabRunner {
 public:
  struct Stopped {
    LabStats stats;
    int close_callbacks = 0;  // how often LabServer::close's callback ran
    int loop_close = -1;      // uv_loop_close() after the loop ran dry; 0 means no handle leaked
  };

  explicit LabRunner(std::vector<LabGatewayConfig> configs, LabOptions options = {});
  ~LabRunner();
  LabRunner(const LabRunner&) = delete;
  LabRunner& operator=(const LabRunner&) = delete;

  const std::optional<std::string>& start_error() const { return start_error_; }
  const std::vector<LabGateway>& gateways() const { return gateways_; }
  const LabGateway& gateway(std::size_t index = 0) const { return gateways_.at(index); }
  // A copy of the live counters, taken on the loop thread.
  LabStats stats();
  // Closes the server, lets the loop run dry and closes it; idempotent.
  Stopped stop();

 private:
  void run();
  void post(std::function<void()> task);
  static void on_async(uv_async_t* async);

  uv_loop_t loop_{};
  uv_async_t wakeup_{};
  std::unique_ptr<LabServer> server_;  // touched only on the loop thread
  std::mutex mutex_;
  std::vector<std::function<void()>> tasks_;
  std::optional<std::string> start_error_;
  std::vector<LabGateway> gateways_;
  std::promise<void> started_;
  std::promise<void> finished_;
  std::optional<Stopped> stopped_;
  Stopped result_;
  std::thread thread_;
};

// One gateway of `profile` on 127.0.0.1, on a port the kernel picks: what most lab tests run.
inline std::vector<LabGatewayConfig> one_gateway(LabProfile profile) {
  return {LabGatewayConfig{profile, "127.0.0.1", 0}};
}

}  // namespace relayaudit::testing
