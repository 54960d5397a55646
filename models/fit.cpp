// fit, evaluate and predict. Arrays become an array dataset
// (data/array_dataset.hpp), so one loop reads every kind of data, as
// Keras 3's trainer turns every input into one iterator of batches: per
// epoch, batches from the dataset (this rank's shard of each under data
// parallelism), class weights applied, train_step, progress, callbacks,
// then validation.

#include <iostream>

#include "data/array_dataset.hpp"
#include "data/batching.hpp"
#include "distributed/communicator.hpp"
#include "layers/initializers.hpp"
#include "models/callbacks.hpp"
#include "models/class_weight.hpp"
#include "models/data_parallel.hpp"
#include "models/model.hpp"
#include "training/progress_bar.hpp"

namespace kiln {

namespace {

// Keras' display order: loss, metrics, then the validation ones.
ProgressBar::Values display_order(const std::map<std::string, double>& logs) {
  ProgressBar::Values out;
  auto rank = [](const std::string& name) {
    const bool val = name.rfind("val_", 0) == 0;
    const bool loss = name == "loss" || name == "val_loss";
    return (val ? 2 : 0) + (loss ? 0 : 1);
  };
  for (int r = 0; r < 4; ++r) {
    for (const auto& [k, v] : logs) {
      if (rank(k) == r) out.emplace_back(k, v);
    }
  }
  return out;
}

std::shared_ptr<ArrayDataset> array_batches(const std::vector<Array>& x, const std::vector<Array>& y,
                                            const Array* sample_weight, ArrayDatasetOptions options) {
  return std::make_shared<ArrayDataset>(borrow(x), borrow(y), sample_weight ? borrow(*sample_weight) : nullptr,
                                        options);
}

}  // namespace

Batch Model::read_batch(Dataset& data, std::size_t index) {
  if (!data_parallel_) return data.get_batch(index);
  const Communicator& job = data_parallel_->communicator();
  Batch mine = data.get_batch_shard(index, {job.rank(), job.size()});
  if (mine.rows() > 0 || built()) {
    prepare_data_parallel(mine);
  } else {
    // A lazily built model needs a row to build from; a rank with none in
    // this batch reads the whole batch once for it.
    prepare_data_parallel(data.get_batch(index));
  }
  return mine;
}

History Model::fit(const std::vector<Array>& x_all, const std::vector<Array>& y_all, FitOptions options) {
  optimizer();
  const std::optional<Array> weights = std::move(options.sample_weight);
  options.sample_weight.reset();
  check_data("fit", x_all, y_all, weights ? &*weights : nullptr);
  if (options.batch_size == 0) throw Error("fit: batch_size must be positive");
  if (options.validation_split < 0.0 || options.validation_split >= 1.0) {
    throw Error("fit: validation_split must be in [0, 1), got " + std::to_string(options.validation_split));
  }
  const std::size_t total = samples_in(x_all);
  std::size_t n_train = total;
  // Keras takes the validation split from the end, before shuffling;
  // explicit validation data overrides it, as in Keras.
  if (options.validation_split > 0.0 && options.validation_x.empty() && !options.validation_data) {
    const std::size_t n_val = std::size_t(double(total) * options.validation_split);
    n_train = total - n_val;
    if (n_val == 0 || n_train == 0) throw Error("fit: validation_split leaves no training or no validation samples");
    if (options.validation_sample_weight) throw Error("fit: validation_sample_weight given with validation_split");
    options.validation_data = array_batches(x_all, y_all, weights ? &*weights : nullptr,
                                            {.batch_size = options.batch_size, .shuffle = false, .begin = n_train,
                                             .end = total});
  }
  options.validation_split = 0.0;
  const auto train = array_batches(x_all, y_all, weights ? &*weights : nullptr,
                                   {.batch_size = options.batch_size, .shuffle = options.shuffle, .end = n_train});
  return fit(train, std::move(options));
}

History Model::fit(std::shared_ptr<Dataset> data, FitOptions options) {
  optimizer();
  if (!data) throw Error("fit: the dataset is null");
  if (options.validation_split != 0.0) {
    throw Error("fit: validation_split needs arrays; give a Dataset's validation data as validation_data");
  }
  if (options.sample_weight) {
    throw Error("fit: sample_weight is for arrays; a Dataset's batches carry their own sample weights");
  }
  std::shared_ptr<Dataset> validation = options.validation_data;
  const Array* val_weight = options.validation_sample_weight ? &*options.validation_sample_weight : nullptr;
  if (!options.validation_x.empty()) {
    if (validation) throw Error("fit: give validation data as arrays or as a Dataset, not both");
    check_data("fit (validation data)", options.validation_x, options.validation_y, val_weight);
    validation = array_batches(options.validation_x, options.validation_y, val_weight,
                               {.batch_size = options.batch_size, .shuffle = false});
  } else if (val_weight) {
    throw Error("fit: validation_sample_weight given without validation data");
  }
  return fit_batches(*data, validation.get(), options);
}

History Model::fit_batches(Dataset& data, Dataset* validation, FitOptions& options) {
  const std::optional<std::size_t> known = data.num_batches();
  if (options.steps_per_epoch == std::size_t{0}) throw Error("fit: steps_per_epoch must be positive");
  if (known == std::size_t{0}) throw Error("fit: the dataset has no batches");
  if (known && options.steps_per_epoch && *options.steps_per_epoch > *known) {
    throw Error("fit: steps_per_epoch " + std::to_string(*options.steps_per_epoch) + " is more than the dataset's " +
                std::to_string(*known) + " batches (repeat() it to read it more than once per epoch)");
  }
  const std::optional<std::size_t> steps = options.steps_per_epoch ? options.steps_per_epoch : known;
  if (steps && options.initial_step >= *steps) {
    throw Error("fit: initial_step " + std::to_string(options.initial_step) + " is not within an epoch of " +
                std::to_string(*steps) + " steps");
  }
  // A stream cut into epochs by steps_per_epoch is read on across them, as
  // Keras reads an iterator; other data starts every epoch at batch 0.
  const bool read_on = !known && steps;

  std::uint64_t seed = options.seed ? options.seed : global_generator()();
  if (data_parallel_) seed = data_parallel_->broadcast_seed(seed);  // every rank shuffles alike
  std::ostream& out = options.out ? *options.out : std::cout;
  const bool interactive = options.out == nullptr && stream_is_terminal(stdout);

  // Under data-parallel training only rank 0 prints and runs root_only callbacks.
  const bool root = !data_parallel_ || data_parallel_->is_root();
  if (!root) {
    options.verbose = 0;
    std::erase_if(options.callbacks, [](const auto& cb) { return cb->root_only(); });
  }
  for (auto& cb : options.callbacks) cb->set_model(this);
  stop_training = false;
  History history;
  fit_start = {.epoch = options.initial_epoch, .step = options.initial_step, .shuffle_seed = seed};
  for (auto& cb : options.callbacks) cb->on_train_begin({});
  // Where to begin: initial_epoch/initial_step, or where a callback
  // (BackupAndRestore) moved it, with the seed the interrupted run shuffled with.
  const FitStart start = fit_start;
  data.reseed(start.shuffle_seed);
  if (validation) validation->reseed(start.shuffle_seed);  // a shuffled validation source splits alike on every rank
  // The data stands at initial_epoch (the caller's to arrange); a callback's
  // later start replays the dataset's epoch ends up to it.
  if (!read_on) {
    for (std::size_t e = options.initial_epoch; e < start.epoch; ++e) data.on_epoch_end();
  }
  if (steps && start.step >= *steps) {
    throw Error("fit: the start step " + std::to_string(start.step) + " is not within an epoch of " +
                std::to_string(*steps) + " steps");
  }
  std::size_t position = read_on ? start.epoch * *steps + start.step : 0;

  for (std::size_t epoch = start.epoch; epoch < options.epochs && !stop_training; ++epoch) {
    if (options.verbose) out << "Epoch " << epoch + 1 << "/" << options.epochs << "\n";
    for (auto& cb : options.callbacks) cb->on_epoch_begin(epoch, {});
    reset_metrics();
    std::optional<ProgressBar> bar;
    if (options.verbose) bar.emplace(steps, out, interactive);

    std::map<std::string, double> logs;
    const std::size_t first_step = epoch == start.epoch ? start.step : 0;
    std::size_t step = first_step;
    bool ran_out = false;
    for (; (!steps || step < *steps) && !stop_training; ++step) {
      const std::size_t index = read_on ? position++ : step;
      Batch batch;
      try {
        batch = read_batch(data, index);
      } catch (const DataExhausted&) {
        ran_out = true;
        break;
      }
      check_batch("fit", batch, index);
      if (!options.class_weight.empty()) apply_class_weight(batch, options.class_weight);
      logs = data_parallel_ ? data_parallel_step(std::move(batch)) : train_step(std::move(batch));
      if (bar) bar->update(step + 1, display_order(logs));
      for (auto& cb : options.callbacks) cb->on_batch_end(step, logs);
      if (data_parallel_) stop_training = data_parallel_->any_rank(stop_training);
    }
    // A stream read to its end finishes the epoch; data that ends before
    // steps_per_epoch (or gives nothing) ends training, as in Keras.
    if (ran_out && (steps || step == first_step)) {
      if (root) {
        out << "fit: the data ran out after " << step << " steps of epoch " << epoch + 1
            << "; training stops (give enough batches for steps_per_epoch * epochs, e.g. with repeat())\n";
      }
      stop_training = true;
      if (step == first_step) break;
    }
    if (!read_on) data.on_epoch_end();
    if (validation) {
      const auto val = evaluate_batches(*validation, options.validation_steps);
      for (const auto& [k, v] : val) logs["val_" + k] = v;
    }
    for (auto& cb : options.callbacks) cb->add_epoch_logs(epoch, logs);
    if (bar) bar->finish(display_order(logs));
    history.record_epoch(display_order(logs));
    for (auto& cb : options.callbacks) cb->on_epoch_end(epoch, logs);
    if (data_parallel_) stop_training = data_parallel_->any_rank(stop_training);
  }
  for (auto& cb : options.callbacks) cb->on_train_end({});
  return history;
}

std::map<std::string, double> Model::evaluate_batches(Dataset& data, std::optional<std::size_t> steps) {
  reset_metrics();
  std::map<std::string, double> logs;
  std::size_t index = 0;
  for (; !steps || index < *steps; ++index) {
    Batch batch;
    try {
      batch = read_batch(data, index);
    } catch (const DataExhausted&) {
      break;
    }
    check_batch("evaluate", batch, index);
    if (data_parallel_) {  // this rank's shard; metric_results() sums the shards
      share_step(batch);
      if (batch.rows() == 0) {  // no rows here: still join the metric sum the others' test_step makes
        logs = metric_results("");
        continue;
      }
    }
    logs = test_step(std::move(batch));
  }
  data.on_epoch_end();
  if (index == 0) throw Error("evaluate: the dataset gave no batches");
  return logs;
}

std::map<std::string, double> Model::evaluate(const std::vector<Array>& x, const std::vector<Array>& y,
                                              std::size_t batch_size, const Array* sample_weight) {
  optimizer();
  check_data("evaluate", x, y, sample_weight);
  if (batch_size == 0) throw Error("evaluate: batch_size must be positive");
  const auto data = array_batches(x, y, sample_weight, {.batch_size = batch_size, .shuffle = false});
  return evaluate_batches(*data, std::nullopt);
}

std::map<std::string, double> Model::evaluate(std::shared_ptr<Dataset> data, std::optional<std::size_t> steps) {
  optimizer();
  if (!data) throw Error("evaluate: the dataset is null");
  return evaluate_batches(*data, steps);
}

std::vector<Array> Model::predict(const std::vector<Array>& x, std::size_t batch_size) {
  if (batch_size == 0) throw Error("predict: batch_size must be positive");
  check_data("predict", x, {});
  const std::vector<Array> no_targets;
  return predict(array_batches(x, no_targets, nullptr, {.batch_size = batch_size, .shuffle = false}));
}

// Every rank predicts whole batches (nothing to reduce).
std::vector<Array> Model::predict(std::shared_ptr<Dataset> data, std::optional<std::size_t> steps) {
  if (!data) throw Error("predict: the dataset is null");
  std::vector<std::vector<Array>> parts;
  std::size_t index = 0;
  for (; !steps || index < *steps; ++index) {
    Batch batch;
    try {
      batch = data->get_batch(index);
    } catch (const DataExhausted&) {
      break;
    }
    auto outputs = predict_step(std::move(batch));
    parts.resize(outputs.size());
    for (std::size_t i = 0; i < outputs.size(); ++i) parts[i].push_back(std::move(outputs[i]));
  }
  data->on_epoch_end();
  if (index == 0) throw Error("predict: the dataset gave no batches");
  std::vector<Array> out;
  for (const auto& p : parts) out.push_back(concat_rows(p));
  return out;
}

}  // namespace kiln
