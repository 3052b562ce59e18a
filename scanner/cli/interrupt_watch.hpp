// SIGINT/SIGTERM on the loop: the first asks for a clean stop, the second quits at once.
#pragma once

#include <csignal>
#include <functional>

#include <uv.h>

namespace relayaudit {

class InterruptWatch {
 public:
  InterruptWatch(uv_loop_t* loop, std::function<void(int signal)> on_first);
  ~InterruptWatch() { close(); }
  InterruptWatch(const InterruptWatch&) = delete;
  InterruptWatch& operator=(const InterruptWatch&) = delete;

  // Stops watching (the loop can then end); safe to call twice.
  void close();

 private:
  static void on_signal(uv_signal_t* handle, int signal);

  uv_signal_t interrupt_{};
  uv_signal_t terminate_{};
  std::function<void(int)> on_first_;
  bool fired_ = false;
  bool closed_ = false;
};

}  // namespace relayaudit
