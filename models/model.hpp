#pragma once
// Model: a Layer that can be trained, evaluated, summarised and saved, as
// keras.Model is. Three ways to get one:
//   - FunctionalModel: Model(inputs, outputs) over symbolic Input()s;
//   - SequentialModel: a stack of single-input layers, add() by add();
//   - subclassing: derive from Model, track() sublayers, override call().
// Training lives in models/training_loop.cpp (compile, the steps,
// train_on_batch) and models/fit.cpp (fit, evaluate, predict).

#include <filesystem>
#include <iosfwd>
#include <optional>
#include <span>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "data/batch.hpp"
#include "data/dataset.hpp"
#include "layers/layer.hpp"
#include "models/compile_options.hpp"
#include "training/history.hpp"
#include "training/metrics.hpp"

namespace kiln {

class Callback;
class DataParallel;

// Arguments of fit(), with Keras' names and defaults.
struct FitOptions {
  std::size_t batch_size = 32;  // for arrays; a Dataset makes its own batches
  std::size_t epochs = 1;
  // Validation: explicit data (arrays or a Dataset), or the last fraction
  // of the training arrays (taken before shuffling, as Keras does).
  std::vector<Array> validation_x = {};
  std::vector<Array> validation_y = {};
  std::optional<Array> validation_sample_weight = std::nullopt;  // for validation_x/y
  double validation_split = 0.0;  // splits sample_weight alike
  bool shuffle = true;
  std::uint64_t seed = 0;  // shuffling order; 0 = from the global generator
  int verbose = 1;         // 0 silent, 1 progress bar (one line per epoch off a terminal)
  std::vector<std::shared_ptr<Callback>> callbacks = {};
  std::ostream* out = nullptr;  // where progress goes; default std::cout
  // Per-sample (N) or per-step (N, T) weights; a padding mask is one.
  std::optional<Array> sample_weight = std::nullopt;
  std::shared_ptr<Dataset> validation_data = nullptr;  // instead of validation_x/y
  // Batches per epoch: needed for a stream of unknown length that should
  // not be read to its end each epoch (it is then read on across epochs),
  // at most the dataset's length otherwise. validation_steps likewise.
  std::optional<std::size_t> steps_per_epoch = std::nullopt;
  std::optional<std::size_t> validation_steps = std::nullopt;
  // Keras' class_weight: the weight of every sample (or time step) whose
  // target is class c is multiplied by class_weight[c] (1 for classes not
  // listed). Targets may be class ids (N) or (N, 1), or one-hot (..., C).
  // Models with a single target only.
  std::map<std::size_t, float> class_weight = {};
  // Where to start (a resumed run): Keras' initial_epoch, and the step of
  // that epoch (the dataset's batches before it are not read).
  std::size_t initial_epoch = 0;
  std::size_t initial_step = 0;
};

// Where fit() starts and what its shuffled orders come from. fit() sets
// Model::fit_start to {0, 0, its seed} just before the callbacks'
// on_train_begin, which may move it (BackupAndRestore resumes an interrupted
// run there); fit() then starts at epoch `epoch`, skips the first `step`
// batches of it, and shuffles every epoch from `shuffle_seed`.
struct FitStart {
  std::size_t epoch = 0;
  std::size_t step = 0;
  std::uint64_t shuffle_seed = 0;
};

class Model : public Layer {
 public:
  explicit Model(std::string class_name = "Model", std::string name = {});

  // --- training (models/training_loop.cpp; fit, evaluate, predict in models/fit.cpp) ---
  void compile(CompileOptions options);
  bool compiled() const { return optimizer_ != nullptr; }
  History fit(const std::vector<Array>& x, const std::vector<Array>& y, FitOptions options = {});
  // Trains on the dataset's batches (data/dataset.hpp): the same loop that
  // fit on arrays runs over an array dataset. validation_split is for arrays.
  History fit(std::shared_ptr<Dataset> data, FitOptions options = {});
  // One optimizer step on one batch; returns the loss and metrics. Under
  // data-parallel training (CompileOptions::communicator) every rank passes
  // the same global batch and trains on its shard of it.
  std::map<std::string, double> train_on_batch(const std::vector<Array>& x, const std::vector<Array>& y,
                                               const Array* sample_weight = nullptr);
  // The compiled loss and metrics over the data, weighted by sample_weight
  // when given (as fit's loss is).
  std::map<std::string, double> evaluate(const std::vector<Array>& x, const std::vector<Array>& y,
                                         std::size_t batch_size = 32, const Array* sample_weight = nullptr);
  std::vector<Array> predict(const std::vector<Array>& x, std::size_t batch_size = 32);
  // Over a dataset's batches (their sample weights honored): to its end,
  // or `steps` batches.
  std::map<std::string, double> evaluate(std::shared_ptr<Dataset> data,
                                         std::optional<std::size_t> steps = std::nullopt);
  std::vector<Array> predict(std::shared_ptr<Dataset> data, std::optional<std::size_t> steps = std::nullopt);

  // --- customizing fit (Keras 3's "customizing what happens in fit()") ---
  // fit() and train_on_batch() call train_step once per batch, evaluate()
  // calls test_step and predict() predict_step. A subclass overrides them;
  // fit's loop, callbacks, progress bar and validation still run around
  // them, and under data-parallel training every optimizer step still sums
  // the gradients across processes (the optimizer does it). The defaults are
  // made of the pieces below, for overrides to reuse.
  virtual std::map<std::string, double> train_step(Batch batch);
  virtual std::map<std::string, double> test_step(Batch batch);
  virtual std::vector<Array> predict_step(Batch batch);
  // Keras' compute_loss: the compiled loss of each output against its
  // target, weighted by the batch's sample weights, summed.
  Tensor compute_loss(const std::vector<Tensor>& predictions, const Batch& batch);
  // Adds the batch to the loss tracker and the compiled metrics and returns
  // their results so far ({"loss": ..., "accuracy": ...}), as a step returns.
  std::map<std::string, double> update_metrics(const std::vector<Tensor>& predictions, const Batch& batch,
                                               const Tensor& loss);

  Optimizer& optimizer() const;
  const CompileOptions& compile_options() const { return compile_options_; }
  // Set by a callback (EarlyStopping) to end fit() after the current epoch.
  bool stop_training = false;
  // Where the running (or last) fit() started; see FitStart.
  FitStart fit_start;

  // --- weights (safetensors, "layer/weight" names, written atomically) ---
  void save_weights(const std::filesystem::path& path) const;
  // Checks every name and shape before changing anything; the first
  // mismatch is reported with the file's and the model's view of it.
  void load_weights(const std::filesystem::path& path);
  // The optimizer's slots and step count, to resume training exactly.
  void save_optimizer_state(const std::filesystem::path& path) const;
  void load_optimizer_state(const std::filesystem::path& path);

  // --- description ---
  void summary(std::ostream& out) const;
  void summary() const;

  // Weights are named without the model's own name ("encoder_gru/kernel"),
  // as Keras names them in weight files.
  std::vector<std::pair<std::string, Tensor>> named_weights() const override;
  std::vector<std::pair<std::string, std::mt19937_64*>> named_generators() const override;

  // The outputs' names, as losses, loss weights and metrics can be given
  // by name and as the logs name them ("<output>_loss", "<output>_accuracy"):
  // the output layers' names for a functional model; "output_1", ... for a
  // subclassed one. Empty while the number of outputs is not known.
  virtual std::vector<std::string> output_names() const;

  // Subclassed models have no symbolic shape unless they say so.
  std::vector<PartialShape> compute_output_shape(const std::vector<PartialShape>& shapes) const override;

 protected:
  // The layers this model owns, in the order they were tracked.
  const std::vector<std::shared_ptr<Layer>>& layers() const { return sublayers(); }
  // Rows of the summary table: subclasses print their own layout.
  // Returns the table width, for the closing rules.
  virtual std::size_t print_layers(std::ostream& out) const;

 private:
  // Data-parallel training (models/data_parallel.hpp), when compiled with a
  // communicator: a step on this rank's shard of the global batch.
  std::map<std::string, double> data_parallel_step(Batch shard);
  // Weights from rank 0 before the first step; `sample` (any rows of the
  // data) builds a lazily built model first.
  void prepare_data_parallel(const Batch& sample);
  // Sets step_share_ and step_rows_ for this rank's shard (one allreduce).
  void share_step(const Batch& shard);
  // The batch to train or test on: the whole batch `index`, or this rank's shard.
  Batch read_batch(Dataset& data, std::size_t index);
  std::map<std::string, double> evaluate_batches(Dataset& data, std::optional<std::size_t> steps);
  History fit_batches(Dataset& data, Dataset* validation, FitOptions& options);
  void reduce_gradients(std::span<Optimizer::Update> updates);
  std::vector<Tensor> forward(std::vector<Array> x, bool training);
  void reset_metrics();
  std::map<std::string, double> metric_results(const std::string& prefix) const;
  void check_data(const char* where, const std::vector<Array>& x, const std::vector<Array>& y,
                  const Array* sample_weight = nullptr) const;
  // A dataset's batch: every array has the batch's rows, every value is finite.
  void check_batch(const char* where, const Batch& batch, std::size_t index) const;

  CompileOptions compile_options_;
  std::shared_ptr<Optimizer> optimizer_;
  // What compile() asked of each output, resolved against the outputs the
  // model has (at compile() when it knows them, else at the first step).
  struct OutputTraining {
    std::string name;
    std::optional<LossFunction> loss;  // none: the output is not trained
    std::string loss_name;
    float weight = 1.0f;
    std::vector<std::shared_ptr<PredictionMetric>> metrics;
    Mean loss_tracker;      // logged as "<name>_loss" when there are several outputs
    double last_loss = 0.0;  // this batch's, from compute_loss for update_metrics
  };
  void resolve_outputs(std::size_t count);
  // The log entries in order: the loss, the outputs' losses, their metrics.
  std::vector<std::pair<std::string, const Metric*>> tracked_metrics() const;

  std::unique_ptr<Mean> loss_tracker_;
  std::vector<OutputTraining> outputs_;  // empty until resolved
  std::shared_ptr<DataParallel> data_parallel_;  // set by compile() with a communicator
  // This rank's part of the current data-parallel step: the share of the
  // global loss its gradients carry, and the global batch's rows.
  double step_share_ = 1.0;
  std::size_t step_rows_ = 0;
};

}  // namespace kiln
