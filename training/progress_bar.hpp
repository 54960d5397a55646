#pragma once
// The Keras progress bar (verbose=1) for one epoch. On a terminal it is
// redrawn in place after each step:
//
//   12/50 [======>.......................] - ETA: 3s - loss: 0.1234 - accuracy: 0.9000
//
// and finish() replaces it with the epoch's line, ending in a newline:
//
//   50/50 [==============================] - 4s 80ms/step - loss: 0.1234 - val_loss: 0.2000
//
// Into a file or a pipe (interactive = false) only the epoch line is
// written, so logs do not fill with carriage returns. For a stream of
// unknown length the bar and the ETA are left out, as Keras does:
//
//   12/Unknown - 1s 80ms/step - loss: 0.1234
//
// Formats follow Keras: values with 4 decimals (or %.4e when |v| <= 1e-3);
// ETA "3s", "1:02" or "1:02:03"; time per step "2s/step", "80ms/step" or
// "95us/step", estimated over the steps after the first (which includes
// one-off warm-up). The epoch line's "4s" is the time from construction to
// the last update(), so validation run after the last step is not counted.
// Redraws are at most one per 50 ms, except the last step's.

#include <cstddef>
#include <cstdio>
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

namespace kiln {

// Whether `stream` (stdout, stderr) is a terminal, for ProgressBar's
// `interactive`.
bool stream_is_terminal(std::FILE* stream);

class ProgressBar {
 public:
  // ("loss", 0.1234), ("accuracy", 0.9), in display order.
  using Values = std::vector<std::pair<std::string, double>>;
  // Seconds since any fixed origin; a steady clock unless a test fakes one.
  using Clock = std::function<double()>;

  // One bar per epoch of `total_steps` (>= 1; kiln::Error otherwise), or of
  // an unknown number of steps (std::nullopt).
  ProgressBar(std::optional<std::size_t> total_steps, std::ostream& out, bool interactive, Clock clock = {});

  // After step `step` (1-based; total_steps at the last) with the running
  // values so far. Draws only when interactive.
  void update(std::size_t step, const Values& values);

  // Ends the epoch with its line (the values usually include val_ ones).
  void finish(const Values& values);

 private:
  double estimate_step_time(std::size_t step, double now);
  std::string counter_and_bar(std::size_t step) const;
  void draw(const std::string& line, bool last);

  std::optional<std::size_t> total_;
  std::ostream& out_;
  bool interactive_;
  Clock clock_;
  double start_;
  double last_draw_;
  std::optional<double> after_first_step_;  // time when step 1 ended
  std::optional<double> last_update_;       // time of the last update()
  double step_time_ = 0.0;                   // seconds per step, latest estimate
  std::size_t seen_ = 0;                     // last step updated
  std::size_t drawn_width_ = 0;              // width of the line on screen
};

}  // namespace kiln
