// Model's training API: compile, fit, train_on_batch, evaluate, predict, and
// the steps they call. One training step is: forward (recording the graph),
// loss, backward (which frees the graph), optimizer update, then the
// weights' gradients are released, so memory is the same at step 1,000 as at
// step 1.

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cmath>
#include <iostream>
#include <numeric>
#include <random>
#include <span>

#include "graph/backward.hpp"
#include "layers/initializers.hpp"
#include "models/batching.hpp"
#include "models/callbacks.hpp"
#include "models/data_parallel.hpp"
#include "models/loss_mask.hpp"
#include "models/model.hpp"
#include "ops/arithmetic.hpp"
#include "optimizers/make_optimizer.hpp"
#include "training/progress_bar.hpp"

namespace kiln {

namespace {

std::vector<Array> rows_of(const std::vector<Array>& arrays, const std::vector<std::size_t>& rows) {
  std::vector<Array> out;
  for (const auto& a : arrays) out.push_back(take_rows(a, rows));
  return out;
}

std::size_t rows_in(const Array& a) { return a.dimension() == 0 ? 0 : a.shape()[0]; }
std::size_t samples_in(const std::vector<Array>& x) { return x.empty() ? 0 : rows_in(x[0]); }

// True when every value is finite. Tests the exponent bits so the loop
// vectorizes: it runs on every batch, and a one-hot batch is megabytes.
bool all_finite(const float* data, std::size_t n) {
  constexpr std::uint32_t exponent = 0x7f800000u;  // all ones: Inf or NaN
  std::uint32_t worst = 0;
  for (std::size_t i = 0; i < n; ++i) worst = std::max(worst, std::bit_cast<std::uint32_t>(data[i]) & exponent);
  return worst != exponent;
}

void check_finite(const char* where, const char* what, const std::vector<Array>& arrays) {
  for (std::size_t k = 0; k < arrays.size(); ++k) {
    const Array& a = arrays[k];
    if (all_finite(a.data(), a.size())) continue;
    for (std::size_t i = 0; i < a.size(); ++i) {
      if (!std::isfinite(a.data()[i])) {
        const std::size_t per_sample = a.dimension() == 0 ? 1 : a.size() / std::max<std::size_t>(1, a.shape()[0]);
        throw Error(std::string(where) + ": " + what + "[" + std::to_string(k) + "] contains " +
                    (std::isnan(a.data()[i]) ? "NaN" : "Inf") + " in sample " + std::to_string(i / per_sample));
      }
    }
  }
}

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

// The generator an epoch's order is shuffled with: a function of the seed
// and the epoch alone (not of the epochs before), so that a run resumed at
// any epoch (FitStart) shuffles as the uninterrupted run did.
std::mt19937_64 epoch_generator(std::uint64_t seed, std::size_t epoch) {
  std::seed_seq sequence{std::uint32_t(seed), std::uint32_t(seed >> 32), std::uint32_t(epoch),
                         std::uint32_t(std::uint64_t(epoch) >> 32)};
  return std::mt19937_64(sequence);
}

}  // namespace

std::shared_ptr<Optimizer> OptimizerChoice::make() const {
  return optimizer_ ? optimizer_ : make_optimizer(name_);
}

LossFunction LossChoice::make(LossOptions options) const {
  return function_ ? function_ : loss_by_name(name_, options);
}

void Model::compile(CompileOptions options) {
  optimizer_ = options.optimizer.make();
  loss_tracker_ = std::make_unique<Mean>("loss");
  outputs_.clear();
  data_parallel_ = options.communicator ? std::make_shared<DataParallel>(options.communicator) : nullptr;
  if (data_parallel_) optimizer_->set_gradient_reducer([this](std::span<Optimizer::Update> u) { reduce_gradients(u); });
  compile_options_ = std::move(options);
  const std::size_t known = output_names().size();
  if (known > 0) resolve_outputs(known);  // wrong names or counts fail here, not at the first step
}

std::vector<std::string> Model::output_names() const { return {}; }

void Model::resolve_outputs(std::size_t count) {
  if (!outputs_.empty()) {
    if (outputs_.size() == count) return;
    throw Error(describe() + ": compiled for " + std::to_string(outputs_.size()) + " outputs, but the model returned " +
                std::to_string(count));
  }
  std::vector<std::string> names = output_names();
  if (names.size() != count) {
    names.clear();
    for (std::size_t i = 0; i < count; ++i) names.push_back("output_" + std::to_string(i + 1));
  }
  const CompileOptions& o = compile_options_;
  std::vector<OutputTraining> outputs(count);
  for (std::size_t i = 0; i < count; ++i) {
    OutputTraining& out = outputs[i];
    out.name = names[i];
    if (const auto loss = o.loss.for_output(i, names)) {
      out.loss = loss->make(o.loss_options);
      out.loss_name = loss->name();
    }
    out.weight = o.loss_weights.for_output(i, names);
    for (const MetricChoice& m : o.metrics.for_output(i, names)) out.metrics.push_back(m.make(out.loss_name));
  }
  if (std::none_of(outputs.begin(), outputs.end(), [](const OutputTraining& t) { return t.loss.has_value(); })) {
    throw Error(describe() + ": compile() gave none of the model's outputs a loss");
  }
  outputs_ = std::move(outputs);
}

std::vector<std::pair<std::string, const Metric*>> Model::tracked_metrics() const {
  std::vector<std::pair<std::string, const Metric*>> out{{"loss", loss_tracker_.get()}};
  const bool several = outputs_.size() > 1;
  if (several) {
    for (const auto& o : outputs_) {
      if (o.loss) out.emplace_back(o.name + "_loss", &o.loss_tracker);
    }
  }
  for (const auto& o : outputs_) {
    for (const auto& m : o.metrics) out.emplace_back(several ? o.name + "_" + m->name() : m->name(), m.get());
  }
  return out;
}

Optimizer& Model::optimizer() const {
  if (!optimizer_) throw Error(describe() + ": compile() the model before training it");
  return *optimizer_;
}

void Model::check_data(const char* where, const std::vector<Array>& x, const std::vector<Array>& y,
                       const Array* sample_weight) const {
  const std::size_t n = samples_in(x);
  if (x.empty()) throw Error(std::string(where) + ": no input arrays given");
  if (n == 0) throw Error(std::string(where) + ": the dataset is empty (x[0] has no samples)");
  auto check_count = [&](const std::vector<Array>& arrays, const char* what) {
    for (std::size_t i = 0; i < arrays.size(); ++i) {
      if (rows_in(arrays[i]) != n) {
        throw ShapeError(std::string(where) + ": x[0] has " + std::to_string(n) + " samples but " + what + "[" +
                         std::to_string(i) + "] has " + std::to_string(rows_in(arrays[i])) + " (shape " +
                         to_string(arrays[i].shape()) + ")");
      }
    }
  };
  check_count(x, "x");
  check_count(y, "y");
  check_finite(where, "x", x);
  check_finite(where, "y", y);
  if (!sample_weight) return;
  if (rows_in(*sample_weight) != n) {
    throw ShapeError(std::string(where) + ": sample_weight " + to_string(sample_weight->shape()) +
                     " must have one row per sample (" + std::to_string(n) + ")");
  }
  check_finite(where, "sample_weight", {*sample_weight});
}

std::vector<Tensor> Model::forward(std::vector<Array> x, bool training) {
  std::vector<Tensor> inputs;
  for (auto& a : x) inputs.emplace_back(std::move(a));
  return (*this)(inputs, CallContext{.training = training});
}

Tensor Model::compute_loss(const std::vector<Tensor>& predictions, const Batch& batch) {
  if (batch.y.size() != predictions.size()) {
    throw Error(describe() + ": the model has " + std::to_string(predictions.size()) + " outputs but " +
                std::to_string(batch.y.size()) + " target arrays were given");
  }
  resolve_outputs(predictions.size());
  const Array* weight = batch.sample_weight ? &*batch.sample_weight : nullptr;
  Tensor total;
  for (std::size_t i = 0; i < outputs_.size(); ++i) {
    OutputTraining& out = outputs_[i];
    if (!out.loss) continue;
    // An output carrying a mask (Tensor::mask()) weighs its positions by it, as Keras does.
    const auto masked = masked_loss_weights(predictions[i], weight, compile_options_.loss_options.reduction, out.name);
    if (masked && data_parallel_) {
      throw Error(describe() + ": output '" + out.name + "' carries a mask, which data-parallel training does not " +
                  "support yet; pass the padding mask as sample_weight (with Reduction::mean_with_sample_weight)");
    }
    Tensor loss = (*out.loss)(predictions[i], batch.y[i], masked ? &*masked : weight);
    out.last_loss = loss.item();
    if (out.weight != 1.0f) loss = loss * out.weight;
    total = total.defined() ? total + loss : loss;
  }
  return total;
}

std::map<std::string, double> Model::update_metrics(const std::vector<Tensor>& predictions, const Batch& batch,
                                                    const Tensor& loss) {
  resolve_outputs(predictions.size());
  const double rows = predictions.empty() ? 0.0 : double(rows_in(predictions[0].value()));
  // Under data parallelism the ranks' sums must make the global batch's mean:
  // sum_r loss_r * share_r * global rows = global loss * global rows.
  const double scale = rows > 0.0 ? (data_parallel_ ? double(step_rows_) * step_share_ : rows) / rows : 0.0;
  if (rows > 0.0) {
    loss_tracker_->update(double(loss.item()) * scale, rows);
    for (auto& out : outputs_) {
      if (out.loss) out.loss_tracker.update(out.last_loss * scale, rows);
    }
  }
  const Array* weight = batch.sample_weight ? &*batch.sample_weight : nullptr;
  for (std::size_t i = 0; i < outputs_.size(); ++i) {
    for (auto& m : outputs_[i].metrics) m->update(predictions[i].value(), batch.y[i], weight);
  }
  return metric_results("");
}

void Model::reset_metrics() {
  loss_tracker_->reset();
  for (auto& out : outputs_) {
    out.loss_tracker.reset();
    for (auto& m : out.metrics) m->reset();
  }
}

std::map<std::string, double> Model::metric_results(const std::string& prefix) const {
  const auto tracked = tracked_metrics();
  std::map<std::string, double> out;
  if (data_parallel_) {
    // The global batch's values: every rank's sums added up.
    std::vector<MetricSums> sums;
    for (const auto& [name, m] : tracked) sums.push_back(m->sums());
    data_parallel_->allreduce_sums(sums);
    for (std::size_t i = 0; i < tracked.size(); ++i) out[prefix + tracked[i].first] = sums[i].mean();
    return out;
  }
  for (const auto& [name, m] : tracked) out[prefix + name] = m->result();
  return out;
}

// Data-parallel training (CompileOptions::communicator): the steps below
// train this rank's shard of each global batch; see models/data_parallel.hpp.

void Model::prepare_data_parallel(const std::vector<Array>& x) {
  if (!built()) {
    // A lazily built model gets its weights from one row, so that rank 0
    // has weights to broadcast and the others places to receive them.
    NoGradGuard no_grad;
    forward(rows_of(x, {0}), false);
  }
  data_parallel_->synchronize_weights(weights());
}

// The optimizer's gradient reducer under data parallelism: gradients that
// are not the weights' own (apply_gradients(grads, weights)) are put there,
// then one allreduce sums every rank's share-scaled gradients.
void Model::reduce_gradients(std::span<Optimizer::Update> updates) {
  std::vector<Tensor> params;
  params.reserve(updates.size());
  for (Optimizer::Update& u : updates) {
    Tensor p = *u.param;
    if (u.grad && !(p.has_grad() && u.grad == &p.grad())) {
      p.zero_grad();
      accumulate_grad(p.grad_ref(), Array(*u.grad));
    }
    params.push_back(p);
  }
  data_parallel_->allreduce_gradients(params, step_share_);
  for (Optimizer::Update& u : updates) u.grad = u.param->has_grad() ? &u.param->grad() : nullptr;
}

std::map<std::string, double> Model::data_parallel_step(const std::vector<Array>& x, const std::vector<Array>& y,
                                                        const Array* sample_weight,
                                                        std::span<const std::size_t> rows) {
  prepare_data_parallel(x);
  DataParallel& parallel = *data_parallel_;
  const RowShard shard = parallel.shard(rows.size());
  step_share_ = DataParallel::loss_share(shard, rows, sample_weight, compile_options_.loss_options.reduction);
  step_rows_ = rows.size();
  const auto params = trainable_weights();
  std::map<std::string, double> logs;
  if (shard.empty()) {
    // No rows here: the rank still takes part in the gradient sum (adding
    // zeros) and in the metric sums, as the others' steps do.
    optimizer().apply_gradients(params);
    logs = metric_results("");
  } else {
    try {
      const std::vector<std::size_t> mine(rows.begin() + std::ptrdiff_t(shard.begin),
                                          rows.begin() + std::ptrdiff_t(shard.end));
      Batch batch{rows_of(x, mine), rows_of(y, mine), std::nullopt};
      if (sample_weight) batch.sample_weight = take_rows(*sample_weight, mine);
      logs = train_step(std::move(batch));
    } catch (const std::exception& e) {
      parallel.end_job_after_failure(e);
      throw;  // a job of one: the caller handles it as without data parallelism
    }
  }
  for (auto p : params) p.zero_grad();  // what the reducer put there
  return logs;
}

std::map<std::string, double> Model::train_step(Batch batch) {
  auto predictions = forward(std::move(batch.x), true);
  const auto params = trainable_weights();  // after the forward: a model built by its first call has them now
  Tensor loss = compute_loss(predictions, batch);
  backward(loss);
  optimizer().apply_gradients(params);
  for (auto p : params) p.zero_grad();
  return update_metrics(predictions, batch, loss);
}

std::map<std::string, double> Model::test_step(Batch batch) {
  NoGradGuard no_grad;
  auto predictions = forward(std::move(batch.x), false);
  Tensor loss = compute_loss(predictions, batch);
  return update_metrics(predictions, batch, loss);
}

std::vector<Array> Model::predict_step(Batch batch) {
  NoGradGuard no_grad;
  std::vector<Array> out;
  for (const Tensor& t : forward(std::move(batch.x), false)) out.push_back(t.value());
  return out;
}

std::map<std::string, double> Model::train_on_batch(const std::vector<Array>& x, const std::vector<Array>& y,
                                                    const Array* sample_weight) {
  optimizer();
  check_data("train_on_batch", x, y, sample_weight);
  reset_metrics();
  if (data_parallel_) {
    std::vector<std::size_t> rows(samples_in(x));
    std::iota(rows.begin(), rows.end(), 0);
    return data_parallel_step(x, y, sample_weight, rows);
  }
  Batch batch{x, y, std::nullopt};
  if (sample_weight) batch.sample_weight = *sample_weight;
  return train_step(std::move(batch));
}

std::map<std::string, double> Model::evaluate(const std::vector<Array>& x, const std::vector<Array>& y,
                                              std::size_t batch_size, const Array* sample_weight) {
  optimizer();
  check_data("evaluate", x, y, sample_weight);
  if (batch_size == 0) throw Error("evaluate: batch_size must be positive");
  reset_metrics();
  const std::size_t n = samples_in(x);
  if (data_parallel_) prepare_data_parallel(x);
  std::map<std::string, double> logs;
  for (std::size_t batch_begin = 0; batch_begin < n; batch_begin += batch_size) {
    std::size_t begin = batch_begin, end = std::min(n, batch_begin + batch_size);
    if (data_parallel_) {  // this rank's shard of the batch; metric_results() sums the shards
      const RowShard shard = data_parallel_->shard(end - begin);
      std::vector<std::size_t> rows(end - begin);
      std::iota(rows.begin(), rows.end(), begin);
      step_share_ = DataParallel::loss_share(shard, rows, sample_weight, compile_options_.loss_options.reduction);
      step_rows_ = rows.size();
      end = begin + shard.end;
      begin += shard.begin;
      if (begin == end) {  // no rows here: still join the metric sum the others' test_step makes
        logs = metric_results("");
        continue;
      }
    }
    Batch batch;
    for (const auto& a : x) batch.x.push_back(row_range(a, begin, end));
    for (const auto& a : y) batch.y.push_back(row_range(a, begin, end));
    if (sample_weight) batch.sample_weight = row_range(*sample_weight, begin, end);
    logs = test_step(std::move(batch));
  }
  return logs;
}

std::vector<Array> Model::predict(const std::vector<Array>& x, std::size_t batch_size) {
  if (batch_size == 0) throw Error("predict: batch_size must be positive");
  check_data("predict", x, {});
  const std::size_t n = samples_in(x);
  std::vector<std::vector<Array>> parts;
  for (std::size_t begin = 0; begin < n; begin += batch_size) {
    Batch batch;
    for (const auto& a : x) batch.x.push_back(row_range(a, begin, std::min(n, begin + batch_size)));
    auto outputs = predict_step(std::move(batch));
    parts.resize(outputs.size());
    for (std::size_t i = 0; i < outputs.size(); ++i) parts[i].push_back(std::move(outputs[i]));
  }
  std::vector<Array> out;
  for (const auto& p : parts) out.push_back(concat_rows(p));
  return out;
}

History Model::fit(const std::vector<Array>& x_all, const std::vector<Array>& y_all, FitOptions options) {
  optimizer();
  const Array* all_weights = options.sample_weight ? &*options.sample_weight : nullptr;
  check_data("fit", x_all, y_all, all_weights);
  if (options.batch_size == 0) throw Error("fit: batch_size must be positive");
  if (options.validation_split < 0.0 || options.validation_split >= 1.0) {
    throw Error("fit: validation_split must be in [0, 1), got " + std::to_string(options.validation_split));
  }
  std::vector<Array> x = x_all, y = y_all, val_x = options.validation_x, val_y = options.validation_y;
  std::optional<Array> weights = options.sample_weight, val_weights = options.validation_sample_weight;
  const std::size_t total = samples_in(x_all);
  // Keras takes the validation split from the end, before shuffling;
  // explicit validation data overrides it, as in Keras.
  if (options.validation_split > 0.0 && options.validation_x.empty()) {
    const std::size_t n_val = std::size_t(double(total) * options.validation_split);
    const std::size_t n_train = total - n_val;
    if (n_val == 0 || n_train == 0) throw Error("fit: validation_split leaves no training or no validation samples");
    val_x.clear();
    val_y.clear();
    for (auto& a : x) val_x.push_back(row_range(a, n_train, total)), a = row_range(a, 0, n_train);
    for (auto& a : y) val_y.push_back(row_range(a, n_train, total)), a = row_range(a, 0, n_train);
    if (weights) val_weights = row_range(*weights, n_train, total), weights = row_range(*weights, 0, n_train);
  }
  if (val_weights && val_x.empty()) throw Error("fit: validation_sample_weight given without validation data");
  const Array* val_weight = val_weights ? &*val_weights : nullptr;
  if (!val_x.empty()) check_data("fit (validation data)", val_x, val_y, val_weight);

  const std::size_t n = samples_in(x);
  const std::size_t steps = (n + options.batch_size - 1) / options.batch_size;
  std::uint64_t seed = options.seed ? options.seed : global_generator()();
  if (data_parallel_) seed = data_parallel_->broadcast_seed(seed);  // every rank shuffles alike
  std::ostream& out = options.out ? *options.out : std::cout;
  const bool interactive = options.out == nullptr && stream_is_terminal(stdout);

  // Under data-parallel training only rank 0 prints and runs root_only callbacks.
  if (data_parallel_ && !data_parallel_->is_root()) {
    options.verbose = 0;
    std::erase_if(options.callbacks, [](const auto& cb) { return cb->root_only(); });
  }
  for (auto& cb : options.callbacks) cb->set_model(this);
  stop_training = false;
  History history;
  fit_start = {.epoch = 0, .step = 0, .shuffle_seed = seed};
  for (auto& cb : options.callbacks) cb->on_train_begin({});
  const FitStart start = fit_start;  // where the callbacks (BackupAndRestore) resume, else the beginning

  std::vector<std::size_t> order(n);
  for (std::size_t epoch = start.epoch; epoch < options.epochs && !stop_training; ++epoch) {
    if (options.verbose) out << "Epoch " << epoch + 1 << "/" << options.epochs << "\n";
    for (auto& cb : options.callbacks) cb->on_epoch_begin(epoch, {});
    std::iota(order.begin(), order.end(), 0);
    if (options.shuffle) std::shuffle(order.begin(), order.end(), epoch_generator(start.shuffle_seed, epoch));
    reset_metrics();
    std::optional<ProgressBar> bar;
    if (options.verbose) bar.emplace(steps, out, interactive);

    std::map<std::string, double> logs;
    for (std::size_t step = epoch == start.epoch ? start.step : 0; step < steps && !stop_training; ++step) {
      const std::vector<std::size_t> rows(order.begin() + step * options.batch_size,
                                          order.begin() + std::min(n, (step + 1) * options.batch_size));
      if (data_parallel_) {
        logs = data_parallel_step(x, y, weights ? &*weights : nullptr, rows);
      } else {
        Batch batch{rows_of(x, rows), rows_of(y, rows), std::nullopt};
        if (weights) batch.sample_weight = take_rows(*weights, rows);
        logs = train_step(std::move(batch));
      }
      if (bar) bar->update(step + 1, display_order(logs));
      for (auto& cb : options.callbacks) cb->on_batch_end(step, logs);
      if (data_parallel_) stop_training = data_parallel_->any_rank(stop_training);
    }
    if (!val_x.empty()) {
      const auto val = evaluate(val_x, val_y, options.batch_size, val_weight);
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

}  // namespace kiln
