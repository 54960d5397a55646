#pragma once
// keras.callbacks.ReduceLROnPlateau: multiplies the optimizer's learning
// rate by `factor` once `monitor` has not improved for `patience` epochs,
// waits `cooldown` epochs before counting again, and never goes below
// min_lr. Keras' rules exactly:
//   - improvement: value < best - min_delta (mode min) or value > best +
//     min_delta (mode max); mode automatic is max for names containing "acc";
//   - a NaN value never improves, so it counts towards patience;
//   - a monitor missing from the logs prints a warning naming the logged
//     values and changes nothing (Keras warns, EarlyStopping throws);
//   - during cooldown the wait stays at 0;
//   - the rate is lowered only while it is above min_lr, to
//     max(rate * factor, min_lr).
// Every epoch's logs get "learning_rate", the rate that epoch trained with.

#include <iosfwd>
#include <string>

#include "models/callbacks.hpp"

namespace kiln {

class ReduceLROnPlateau : public Callback {
 public:
  struct Options {
    std::string monitor = "val_loss";
    double factor = 0.1;           // in [0, 1)
    std::size_t patience = 10;
    int verbose = 0;               // 1: a line on each reduction
    MonitorMode mode = MonitorMode::automatic;
    double min_delta = 1e-4;
    std::size_t cooldown = 0;
    double min_lr = 0.0;
    std::ostream* out = nullptr;   // where verbose lines and warnings go; default std::cerr
  };
  // Throws kiln::Error for a factor outside [0, 1) or a negative min_lr or min_delta.
  explicit ReduceLROnPlateau(Options options);

  void on_train_begin(const Logs& logs) override;
  void add_epoch_logs(std::size_t epoch, Logs& logs) override;
  void on_epoch_end(std::size_t epoch, const Logs& logs) override;

  // Epochs without improvement counted so far, and the best value seen.
  std::size_t wait() const { return wait_; }
  double best() const { return best_; }

 private:
  bool improved(double value) const;
  void reduce(std::size_t epoch);
  std::ostream& out() const;

  Options options_;
  bool maximize_;
  double best_ = 0.0;
  std::size_t wait_ = 0;
  std::size_t cooldown_counter_ = 0;
};

}  // namespace kiln
