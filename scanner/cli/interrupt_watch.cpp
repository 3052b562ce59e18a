// Signal handling through libuv, so the stop runs on the loop like everything else.
#include "cli/interrupt_watch.hpp"

#include <unistd.h>

namespace relayaudit {

InterruptWatch::InterruptWatch(uv_loop_t* loop, std::function<void(int)> on_first)
    : on_first_(std::move(on_first)) {
  for (uv_signal_t* handle : {&interrupt_, &terminate_}) {
    uv_signal_init(loop, handle);
    handle->data = this;
  }
  uv_signal_start(&interrupt_, on_signal, SIGINT);
  uv_signal_start(&terminate_, on_signal, SIGTERM);
}

void InterruptWatch::on_signal(uv_signal_t* handle, int signal) {
  auto* self = static_cast<InterruptWatch*>(handle->data);
  if (self->fired_) {
    // A second signal: the user wants out now; 128+n is the shell's convention.
    _exit(128 + signal);
  }
  self->fired_ = true;
  self->on_first_(signal);
}

void InterruptWatch::close() {
  if (closed_) return;
  closed_ = true;
  // Handles live in this object: it must outlive the loop run that closes them.
  uv_close(reinterpret_cast<uv_handle_t*>(&interrupt_), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&terminate_), nullptr);
}

}  // namespace relayaudit
