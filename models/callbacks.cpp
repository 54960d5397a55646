#include "models/callbacks.hpp"

#include <cmath>
#include <iostream>

#include "graph/error.hpp"
#include "io/atomic_dir.hpp"
#include "models/model.hpp"

namespace kiln {

namespace {

double monitored(const Logs& logs, const std::string& monitor, const char* who) {
  const auto it = logs.find(monitor);
  if (it == logs.end()) {
    std::string names;
    for (const auto& [k, v] : logs) names += (names.empty() ? "" : ", ") + k;
    throw Error(std::string(who) + ": monitored value '" + monitor + "' is not logged (available: " + names + ")");
  }
  return it->second;
}

}  // namespace

bool monitor_maximizes(MonitorMode mode, const std::string& monitor) {
  if (mode == MonitorMode::max) return true;
  if (mode == MonitorMode::min) return false;
  return monitor.find("acc") != std::string::npos;
}

Model& Callback::model() const {
  if (!model_) throw Error("callback used before fit() attached it to a model");
  return *model_;
}

void LambdaCallback::on_train_begin(const Logs& logs) {
  if (options_.on_train_begin) options_.on_train_begin(logs);
}
void LambdaCallback::on_train_end(const Logs& logs) {
  if (options_.on_train_end) options_.on_train_end(logs);
}
void LambdaCallback::on_epoch_begin(std::size_t epoch, const Logs& logs) {
  if (options_.on_epoch_begin) options_.on_epoch_begin(epoch, logs);
}
void LambdaCallback::on_epoch_end(std::size_t epoch, const Logs& logs) {
  if (options_.on_epoch_end) options_.on_epoch_end(epoch, logs);
}
void LambdaCallback::on_batch_end(std::size_t batch, const Logs& logs) {
  if (options_.on_batch_end) options_.on_batch_end(batch, logs);
}

EarlyStopping::EarlyStopping(Options options)
    : options_(std::move(options)), maximize_(monitor_maximizes(options_.mode, options_.monitor)) {}

void EarlyStopping::on_train_begin(const Logs&) {
  wait_ = 0;
  stopped_epoch_.reset();
  best_ = maximize_ ? -INFINITY : INFINITY;
  best_weights_.clear();
}

// Improvement means beating the best by more than min_delta, as in Keras.
void EarlyStopping::on_epoch_end(std::size_t epoch, const Logs& logs) {
  const double value = monitored(logs, options_.monitor, "EarlyStopping");
  const bool improved = maximize_ ? value - options_.min_delta > best_ : value + options_.min_delta < best_;
  if (improved) {
    best_ = value;
    wait_ = 0;
    if (options_.restore_best_weights) best_weights_ = model().get_weights();
    return;
  }
  // Keras: stop once `patience` epochs in a row did not improve (and never
  // after the first epoch), so patience 2 stops at the 2nd such epoch.
  if (++wait_ >= options_.patience && epoch > 0) {
    stopped_epoch_ = epoch;
    model().stop_training = true;
  }
}

void EarlyStopping::on_train_end(const Logs&) {
  if (stopped_epoch_ && options_.restore_best_weights && !best_weights_.empty()) {
    model().set_weights(best_weights_);
  }
}

ModelCheckpoint::ModelCheckpoint(Options options)
    : options_(std::move(options)), maximize_(monitor_maximizes(options_.mode, options_.monitor)) {
  if (options_.filepath.empty()) throw Error("ModelCheckpoint: filepath is empty");
}

void ModelCheckpoint::on_epoch_end(std::size_t epoch, const Logs& logs) {
  if (options_.save_best_only) {
    const double value = monitored(logs, options_.monitor, "ModelCheckpoint");
    const bool better = !best_ || (maximize_ ? value > *best_ : value < *best_);
    if (!better) return;
    best_ = value;
  }
  std::string path = options_.filepath.string();
  const auto slot = path.find("{epoch}");
  if (slot != std::string::npos) path.replace(slot, 7, std::to_string(epoch + 1));
  if (!options_.include_optimizer) {
    model().save_weights(path);
    return;
  }
  // Weights and optimizer state as one unit: a kill between two separate
  // files would pair epoch N's weights with epoch N-1's moments.
  io::DirectoryWrite write(path, {checkpoint_weights_file, checkpoint_optimizer_file});
  model().save_weights(write.staging() / checkpoint_weights_file);
  model().save_optimizer_state(write.staging() / checkpoint_optimizer_file);
  write.commit();
}

void TerminateOnNaN::on_batch_end(std::size_t batch, const Logs& logs) {
  const auto it = logs.find("loss");
  if (it == logs.end() || std::isfinite(it->second)) return;
  message_ = "loss became " + std::string(std::isnan(it->second) ? "nan" : "inf") + " at epoch " +
             std::to_string(epoch_ + 1) + ", batch " + std::to_string(batch + 1) + "; training terminated";
  std::cerr << message_ << "\n";
  model().stop_training = true;
}

void LearningRateScheduler::on_epoch_begin(std::size_t epoch, const Logs&) {
  Optimizer& optimizer = model().optimizer();
  optimizer.set_learning_rate(schedule_(epoch, optimizer.learning_rate()));
}

void LearningRateScheduler::add_epoch_logs(std::size_t, Logs& logs) {
  logs["learning_rate"] = model().optimizer().learning_rate();
}

}  // namespace kiln
