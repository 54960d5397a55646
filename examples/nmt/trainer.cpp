// `nmt train`'s training through fit (see trainer.hpp).

#include "examples/nmt/trainer.hpp"

#include "examples/nmt/pair_dataset.hpp"
#include "examples/nmt/step_timer.hpp"
#include "graph/error.hpp"
#include "models/callbacks.hpp"

namespace nmt {

namespace {

// Writes the run's position as a checkpoint every `checkpoint_every`
// epochs, and stops training when a signal asked for it: after the current
// step (mid-epoch, its position is the next step) or, at an epoch's end,
// before the next epoch. A stop after the last step lets training finish,
// so the model is saved.
class CheckpointAndStop : public kiln::Callback {
 public:
  CheckpointAndStop(const PairDataset& pairs, const TrainingSettings& settings, std::size_t steps)
      : pairs_(pairs), settings_(settings), steps_(steps) {}

  void on_epoch_begin(std::size_t epoch, const kiln::Logs&) override { epoch_ = epoch; }

  void on_batch_end(std::size_t step, const kiln::Logs&) override {
    if (!stop_requested() || step + 1 >= steps_) return;
    save({epoch_, step + 1, pairs_.epoch_start().rng, pairs_.epoch_start().order});
    stop();
  }

  // fit has called the dataset's on_epoch_end: epoch_start() is the next epoch's.
  void on_epoch_end(std::size_t epoch, const kiln::Logs&) override {
    if (interrupted_) return;
    const bool due = settings_.checkpoint_every != 0 && (epoch + 1) % settings_.checkpoint_every == 0;
    if (due || stop_requested()) save({epoch + 1, 0, pairs_.epoch_start().rng, pairs_.epoch_start().order});
    if (stop_requested() && epoch + 1 < settings_.epochs) stop();
  }

 private:
  bool stop_requested() const { return settings_.stop != nullptr && *settings_.stop != 0; }
  void save(const TrainingPosition& at) const {
    if (settings_.checkpoint) settings_.checkpoint(at);
  }
  void stop() {
    interrupted_ = true;
    model().stop_training = true;
    if (settings_.interrupted) *settings_.interrupted = true;
  }

  const PairDataset& pairs_;
  const TrainingSettings& settings_;
  std::size_t steps_;
  std::size_t epoch_ = 0;
  bool interrupted_ = false;
};

}  // namespace

kiln::History train_seq2seq(Seq2Seq& model, const kiln::Array& source_ids, const kiln::Array& target_ids,
                            const TrainingSettings& settings) {
  const TrainingPosition* resume = settings.resume_from;
  const DataOrder start = resume ? DataOrder{resume->order_rng, resume->order} : DataOrder{};
  const auto pairs = std::make_shared<PairDataset>(source_ids, target_ids, settings.batch_size, settings.seed,
                                                   resume ? &start : nullptr);
  const std::size_t steps = *pairs->num_batches();
  if (resume && resume->step >= steps) throw kiln::FormatError("train: the checkpoint's step is beyond the epoch");
  if (settings.interrupted) *settings.interrupted = false;

  std::vector<std::shared_ptr<kiln::Callback>> callbacks{
      std::make_shared<CheckpointAndStop>(*pairs, settings, steps)};
  if (settings.step_seconds) callbacks.push_back(std::make_shared<StepTimer>(*settings.step_seconds));
  return model.training->fit(
      pairs->map(seq2seq_inputs(model.config)),
      {.epochs = settings.epochs, .seed = settings.seed, .verbose = settings.verbose ? 1 : 0,
       .callbacks = std::move(callbacks), .out = settings.out,
       .initial_epoch = resume ? resume->epoch : 0, .initial_step = resume ? resume->step : 0});
}

}  // namespace nmt
