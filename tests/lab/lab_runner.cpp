// The lab loop thread of the tests: start, task posting through uv_async, and a bounded stop.
#include "lab_runner.hpp"

#include <chrono>
#include <cstdlib>
#include <memory>
#include <utility>

#include <gtest/gtest.h>

namespace relayaudit::testing {

namespace {

constexpr std::chrono::seconds kLoopLimit{10};

// A wedged loop thread cannot be joined or detached safely; failing loudly beats hanging CI.
void wait_or_abort(std::future<void>& done, const char* what) {
  if (done.wait_for(kLoopLimit) == std::future_status::ready) return;
  ADD_FAILURE() << "lab loop did not " << what << " within " << kLoopLimit.count() << "s";
  std::abort();
}

}  // namespace

LabRunner::LabRunner(std::vector<LabGatewayConfig> configs, LabOptions options) {
  auto ready = started_.get_future();
  thread_ = std::thread([this, configs = std::move(configs), options] {
    uv_loop_init(&loop_);
    server_ = std::make_unique<LabServer>(&loop_, options);
    wakeup_.data = this;
    uv_async_init(&loop_, &wakeup_, on_async);
    start_error_ = server_->start(configs);
    gateways_ = server_->gateways();
    started_.set_value();
    run();
  });
  wait_or_abort(ready, "start");
}

LabRunner::~LabRunner() {
  stop();
}

void LabRunner::run() {
  uv_run(&loop_, UV_RUN_DEFAULT);
  result_.stats = server_->stats();
  result_.loop_close = uv_loop_close(&loop_);
  server_.reset();
  finished_.set_value();
}

void LabRunner::post(std::function<void()> task) {
  {
    std::lock_guard lock(mutex_);
    tasks_.push_back(std::move(task));
  }
  uv_async_send(&wakeup_);
}

void LabRunner::on_async(uv_async_t* async) {
  auto& runner = *static_cast<LabRunner*>(async->data);
  std::vector<std::function<void()>> tasks;
  {
    std::lock_guard lock(runner.mutex_);
    tasks.swap(runner.tasks_);
  }
  for (auto& task : tasks) task();
}

LabStats LabRunner::stats() {
  if (stopped_) return stopped_->stats;
  // Shared so the promise outlives set_value() even if this thread wakes first.
  auto copy = std::make_shared<std::promise<LabStats>>();
  auto result = copy->get_future();
  post([this, copy] { copy->set_value(server_->stats()); });
  if (result.wait_for(kLoopLimit) != std::future_status::ready) {
    ADD_FAILURE() << "lab loop did not answer within " << kLoopLimit.count() << "s";
    std::abort();
  }
  return result.get();
}

LabRunner::Stopped LabRunner::stop() {
  if (stopped_) return *stopped_;
  auto done = finished_.get_future();
  post([this] {
    server_->close([this] { ++result_.close_callbacks; });
    uv_close(reinterpret_cast<uv_handle_t*>(&wakeup_), nullptr);
  });
  wait_or_abort(done, "stop");
  thread_.join();
  stopped_ = result_;
  return *stopped_;
}

}  // namespace relayaudit::testing
