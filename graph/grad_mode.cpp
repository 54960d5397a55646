#include "graph/grad_mode.hpp"

namespace kiln {

namespace {
thread_local bool recording = true;
}

bool grad_enabled() { return recording; }

NoGradGuard::NoGradGuard() : previous_(recording) { recording = false; }
NoGradGuard::~NoGradGuard() { recording = previous_; }

EnableGradGuard::EnableGradGuard() : previous_(recording) { recording = true; }
EnableGradGuard::~EnableGradGuard() { recording = previous_; }

}  // namespace kiln
