#pragma once
// Callbacks fit() calls around epochs and batches (keras.callbacks): stop
// early, save checkpoints, stop on NaN, change the learning rate, or run
// any user code.

#include <filesystem>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "graph/shape.hpp"

namespace kiln {

class Model;

// Loss and metric values by name ("loss", "accuracy", "val_loss", ...).
using Logs = std::map<std::string, double>;

class Callback {
 public:
  virtual ~Callback() = default;
  void set_model(Model* model) { model_ = model; }
  virtual void on_train_begin(const Logs&) {}
  virtual void on_train_end(const Logs&) {}
  virtual void on_epoch_begin(std::size_t /*epoch*/, const Logs&) {}
  virtual void on_epoch_end(std::size_t /*epoch*/, const Logs&) {}
  virtual void on_batch_end(std::size_t /*batch*/, const Logs&) {}
  // Called at the end of every epoch before anything reads its logs (the
  // History, the progress bar, every callback's on_epoch_end), to add
  // entries to them, as Keras callbacks write into `logs`: ReduceLROnPlateau
  // and LearningRateScheduler log "learning_rate" here.
  virtual void add_epoch_logs(std::size_t /*epoch*/, Logs& /*logs*/) {}
  // Under data-parallel training (CompileOptions::communicator) fit() runs
  // this callback on rank 0 only: true for callbacks that write files.
  // Others run on every rank, with the same (reduced) logs, so that their
  // decisions (EarlyStopping) agree.
  virtual bool root_only() const { return false; }

 protected:
  Model& model() const;

 private:
  Model* model_ = nullptr;
};

// A user-defined callback from functions, as keras.callbacks.LambdaCallback.
class LambdaCallback : public Callback {
 public:
  struct Options {
    std::function<void(std::size_t epoch, const Logs&)> on_epoch_begin = {};
    std::function<void(std::size_t epoch, const Logs&)> on_epoch_end = {};
    std::function<void(std::size_t batch, const Logs&)> on_batch_end = {};
    std::function<void(const Logs&)> on_train_begin = {};
    std::function<void(const Logs&)> on_train_end = {};
    // Run on rank 0 only under data-parallel training (say so when it writes files).
    bool root_only = false;
  };
  explicit LambdaCallback(Options options) : options_(std::move(options)) {}
  bool root_only() const override { return options_.root_only; }
  void on_train_begin(const Logs& logs) override;
  void on_train_end(const Logs& logs) override;
  void on_epoch_begin(std::size_t epoch, const Logs& logs) override;
  void on_epoch_end(std::size_t epoch, const Logs& logs) override;
  void on_batch_end(std::size_t batch, const Logs& logs) override;

 private:
  Options options_;
};

// Whether a smaller or larger monitored value is better: "auto" picks max
// for names containing "acc", min otherwise (Keras' rule).
enum class MonitorMode { automatic, min, max };
// True when larger values of `monitor` are better under `mode`.
bool monitor_maximizes(MonitorMode mode, const std::string& monitor);

// Stops training when `monitor` has not improved by min_delta for
// `patience` epochs; optionally restores the best epoch's weights.
class EarlyStopping : public Callback {
 public:
  struct Options {
    std::string monitor = "val_loss";
    double min_delta = 0.0;
    std::size_t patience = 0;
    MonitorMode mode = MonitorMode::automatic;
    bool restore_best_weights = false;
  };
  explicit EarlyStopping(Options options);
  void on_train_begin(const Logs& logs) override;
  void on_epoch_end(std::size_t epoch, const Logs& logs) override;
  void on_train_end(const Logs& logs) override;
  // The epoch (0-based) training stopped after, if it stopped early.
  std::optional<std::size_t> stopped_epoch() const { return stopped_epoch_; }

 private:
  Options options_;
  bool maximize_;
  double best_ = 0.0;
  std::size_t wait_ = 0;
  std::optional<std::size_t> stopped_epoch_;
  std::vector<Array> best_weights_;
};

// Saves the weights (safetensors, atomically) after every epoch, or only
// when `monitor` improves. "{epoch}" in the path becomes the 1-based epoch.
// With include_optimizer, `filepath` names a directory holding
// weights.safetensors and optimizer.safetensors, replaced as one unit
// (io/atomic_dir.hpp), so training can resume exactly and a kill never
// pairs the weights of one epoch with the optimizer state of another.
inline constexpr const char* checkpoint_weights_file = "weights.safetensors";
inline constexpr const char* checkpoint_optimizer_file = "optimizer.safetensors";
class ModelCheckpoint : public Callback {
 public:
  struct Options {
    std::filesystem::path filepath;
    std::string monitor = "val_loss";
    bool save_best_only = false;
    MonitorMode mode = MonitorMode::automatic;
    bool include_optimizer = false;
  };
  explicit ModelCheckpoint(Options options);
  void on_epoch_end(std::size_t epoch, const Logs& logs) override;
  bool root_only() const override { return true; }

 private:
  Options options_;
  bool maximize_;
  std::optional<double> best_;
};

// Stops training as soon as the loss of a batch is NaN or infinite, and
// says at which epoch and batch (keras.callbacks.TerminateOnNaN).
class TerminateOnNaN : public Callback {
 public:
  void on_epoch_begin(std::size_t epoch, const Logs&) override { epoch_ = epoch; }
  void on_batch_end(std::size_t batch, const Logs& logs) override;
  // "loss became nan at epoch 3, batch 17" once it has fired.
  const std::string& message() const { return message_; }

 private:
  std::size_t epoch_ = 0;
  std::string message_;
};

// Sets the optimizer's learning rate at the start of every epoch from
// schedule(epoch, current rate), as keras.callbacks.LearningRateScheduler,
// and logs the epoch's rate as "learning_rate".
class LearningRateScheduler : public Callback {
 public:
  explicit LearningRateScheduler(std::function<float(std::size_t epoch, float lr)> schedule)
      : schedule_(std::move(schedule)) {}
  void on_epoch_begin(std::size_t epoch, const Logs& logs) override;
  void add_epoch_logs(std::size_t epoch, Logs& logs) override;

 private:
  std::function<float(std::size_t, float)> schedule_;
};

}  // namespace kiln
