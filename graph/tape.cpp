#include "graph/tape.hpp"

namespace kiln {

namespace {
thread_local bool recording = true;
}

Tape& Tape::current() {
  thread_local Tape tape;
  return tape;
}

bool grad_enabled() { return recording; }

NoGradGuard::NoGradGuard() : previous_(recording) { recording = false; }
NoGradGuard::~NoGradGuard() { recording = previous_; }

}  // namespace kiln
