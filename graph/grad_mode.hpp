#pragma once
// Whether ops record their backward on this thread: on unless a NoGradGuard
// lives (inference, optimizer updates); a GradientTape or EnableGradGuard
// turns it back on inside one.

namespace kiln {

bool grad_enabled();

// RAII: nothing is recorded on this thread while it lives.
class NoGradGuard {
 public:
  NoGradGuard();
  ~NoGradGuard();
  NoGradGuard(const NoGradGuard&) = delete;
  NoGradGuard& operator=(const NoGradGuard&) = delete;

 private:
  bool previous_;
};

// RAII: ops record on this thread while it lives, even inside a NoGradGuard.
class EnableGradGuard {
 public:
  EnableGradGuard();
  ~EnableGradGuard();
  EnableGradGuard(const EnableGradGuard&) = delete;
  EnableGradGuard& operator=(const EnableGradGuard&) = delete;

 private:
  bool previous_;
};

}  // namespace kiln
