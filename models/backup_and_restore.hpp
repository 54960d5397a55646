#pragma once
// keras.callbacks.BackupAndRestore: backs the training state up to
// `backup_dir` as it goes, and when fit() starts with a backup there,
// resumes the interrupted run where the backup was taken, epoch and step,
// so that it ends with the weights the uninterrupted run would have had.
//
// A backup is one directory replaced as a unit (io/atomic_dir.hpp), so a
// crash while writing leaves the previous backup whole:
//   weights.safetensors    Model::save_weights
//   optimizer.safetensors  Model::save_optimizer_state (once a step was taken)
//   training_state.json    {"epoch", "step": where to resume (epochs done,
//                          then steps of the next one done), "shuffle_seed":
//                          fit's shuffling seed (FitStart), "learning_rate":
//                          the optimizer's rate (a ReduceLROnPlateau may have
//                          lowered it; null under a schedule), "generators":
//                          every layer's random generator (dropout masks) by
//                          name, as std::mt19937_64 writes its state}
//
// save_freq "epoch" backs up after every epoch; a number N after every N
// steps (counted across epochs, as Keras does). delete_checkpoint removes
// the backup when fit() returns normally (an exception leaves it in place:
// that is the point). On restore the backup's shuffle seed replaces fit's,
// so the resumed epochs see the batches the interrupted run would have.
//
// What is not restored, as in Keras: the loss and metric means of the
// epoch a step backup interrupted cover only its steps run after resuming,
// History holds only the epochs run by this fit() call, and other
// callbacks start afresh. The model must have the interrupted run's layer
// names (weights and generators are matched by name) and be built.
//
// Under data-parallel training every rank restores from the same directory
// (shared, or the same path on each machine) and rank 0 alone writes it.

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>

#include "models/callbacks.hpp"
#include "models/model.hpp"

namespace kiln {

// BackupAndRestore's save_freq: "epoch" or a number of steps.
class SaveFrequency {
 public:
  SaveFrequency(const char* every);  // "epoch"; anything else throws kiln::Error
  SaveFrequency(std::size_t steps);  // > 0
  SaveFrequency(int steps);          // > 0
  bool per_epoch() const { return steps_ == 0; }
  std::size_t steps() const { return steps_; }

 private:
  std::size_t steps_ = 0;  // 0: per epoch
};

class BackupAndRestore : public Callback {
 public:
  struct Options {
    std::filesystem::path backup_dir;
    SaveFrequency save_freq = "epoch";
    bool delete_checkpoint = true;
  };
  explicit BackupAndRestore(Options options);

  void on_train_begin(const Logs& logs) override;
  void on_epoch_begin(std::size_t epoch, const Logs& logs) override;
  void on_batch_end(std::size_t batch, const Logs& logs) override;
  void on_epoch_end(std::size_t epoch, const Logs& logs) override;
  void on_train_end(const Logs& logs) override;

  // Where this fit() resumed, when it found a backup.
  const std::optional<FitStart>& restored_from() const { return restored_from_; }

 private:
  bool writes() const;  // false on the ranks other than 0
  void restore();
  void back_up(std::size_t epoch, std::size_t step);

  Options options_;
  std::size_t epoch_ = 0;
  std::size_t steps_since_backup_ = 0;
  std::optional<FitStart> restored_from_;
};

}  // namespace kiln
