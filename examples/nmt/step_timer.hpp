#pragma once
// Timing `nmt train`: seconds_since, and a callback recording each training
// step's wall time, from one batch end to the next (so it includes making
// the batch), for the "median step" that `nmt train` reports.

#include <algorithm>
#include <chrono>
#include <memory>
#include <vector>

#include "models/callbacks.hpp"

namespace nmt {

// Wall seconds from `start` to now.
inline double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

class StepTimer : public kiln::Callback {
 public:
  // Appends to `seconds`, which must outlive the training.
  explicit StepTimer(std::vector<double>& seconds) : seconds_(seconds) {}
  void on_epoch_begin(std::size_t, const kiln::Logs&) override { last_ = Clock::now(); }
  void on_batch_end(std::size_t, const kiln::Logs&) override {
    const auto now = Clock::now();
    seconds_.push_back(std::chrono::duration<double>(now - last_).count());
    last_ = now;
  }

 private:
  using Clock = std::chrono::steady_clock;
  std::vector<double>& seconds_;
  Clock::time_point last_ = Clock::now();
};

// The median of `seconds` (0 when empty); reorders them.
inline double median_seconds(std::vector<double>& seconds) {
  if (seconds.empty()) return 0.0;
  std::nth_element(seconds.begin(), seconds.begin() + std::ptrdiff_t(seconds.size() / 2), seconds.end());
  return seconds[seconds.size() / 2];
}

}  // namespace nmt
