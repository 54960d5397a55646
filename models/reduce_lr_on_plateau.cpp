#include "models/reduce_lr_on_plateau.hpp"

#include <cmath>
#include <iostream>
#include <algorithm>

#include "graph/error.hpp"
#include "models/model.hpp"

namespace kiln {

ReduceLROnPlateau::ReduceLROnPlateau(Options options)
    : options_(std::move(options)), maximize_(monitor_maximizes(options_.mode, options_.monitor)) {
  if (!(options_.factor >= 0.0 && options_.factor < 1.0)) {
    throw Error("ReduceLROnPlateau does not support a factor outside [0, 1), got " + std::to_string(options_.factor));
  }
  if (!(options_.min_lr >= 0.0)) throw Error("ReduceLROnPlateau: min_lr must be >= 0, got " + std::to_string(options_.min_lr));
  if (!(options_.min_delta >= 0.0)) {
    throw Error("ReduceLROnPlateau: min_delta must be >= 0, got " + std::to_string(options_.min_delta));
  }
  on_train_begin({});
}

std::ostream& ReduceLROnPlateau::out() const { return options_.out ? *options_.out : std::cerr; }

void ReduceLROnPlateau::on_train_begin(const Logs&) {
  best_ = maximize_ ? -INFINITY : INFINITY;
  wait_ = 0;
  cooldown_counter_ = 0;
}

void ReduceLROnPlateau::add_epoch_logs(std::size_t, Logs& logs) {
  logs["learning_rate"] = model().optimizer().learning_rate();
}

// Comparisons with NaN are false: a NaN value never improves.
bool ReduceLROnPlateau::improved(double value) const {
  return maximize_ ? value > best_ + options_.min_delta : value < best_ - options_.min_delta;
}

void ReduceLROnPlateau::on_epoch_end(std::size_t epoch, const Logs& logs) {
  const auto found = logs.find(options_.monitor);
  if (found == logs.end()) {
    std::string names;
    for (const auto& [name, value] : logs) names += (names.empty() ? "" : ",") + name;
    out() << "Warning: Learning rate reduction is conditioned on metric `" << options_.monitor
          << "` which is not available. Available metrics are: " << names << "\n";
    return;
  }
  const double value = found->second;
  if (cooldown_counter_ > 0) {
    --cooldown_counter_;
    wait_ = 0;
  }
  if (improved(value)) {
    best_ = value;
    wait_ = 0;
  } else if (cooldown_counter_ == 0 && ++wait_ >= options_.patience) {
    reduce(epoch);
  }
}

void ReduceLROnPlateau::reduce(std::size_t epoch) {
  Optimizer& optimizer = model().optimizer();
  const double old_lr = optimizer.learning_rate();
  // Keras compares with min_lr as float32, the rate's own precision.
  if (!(old_lr > double(float(options_.min_lr)))) return;
  const double new_lr = std::max(old_lr * options_.factor, options_.min_lr);
  optimizer.set_learning_rate(float(new_lr));
  if (options_.verbose > 0) {
    out() << "\nEpoch " << epoch + 1 << ": ReduceLROnPlateau reducing learning rate to " << float(new_lr) << ".\n";
  }
  cooldown_counter_ = options_.cooldown;
  wait_ = 0;
}

}  // namespace kiln
