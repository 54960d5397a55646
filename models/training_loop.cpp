// Model's training API: compile, train_on_batch, and the steps that fit,
// evaluate and predict (models/fit.cpp) call. One training step is:
// forward (recording the graph), loss, backward (which frees the graph),
// optimizer update, then the weights' gradients are released, so memory is
// the same at step 1,000 as at step 1.

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cmath>
#include <span>

#include "graph/backward.hpp"
#include "data/batching.hpp"
#include "models/data_parallel.hpp"
#include "models/loss_mask.hpp"
#include "models/model.hpp"
#include "ops/arithmetic.hpp"
#include "ops/parallel.hpp"
#include "optimizers/make_optimizer.hpp"

namespace kiln {

namespace {

// True when every value is finite. Tests the exponent bits so the loop
// vectorizes: it runs on every batch, and a one-hot batch is megabytes.
bool exponents_finite(const float* data, std::size_t n) {
  constexpr std::uint32_t exponent = 0x7f800000u;  // all ones: Inf or NaN
  std::uint32_t worst = 0;
  for (std::size_t i = 0; i < n; ++i) worst = std::max(worst, std::bit_cast<std::uint32_t>(data[i]) & exponent);
  return worst != exponent;
}

// The same over both threads (ops/parallel.hpp): it is the step's serial
// work otherwise, 2.6% of the seed step's main thread.
bool all_finite(const float* data, std::size_t n) {
  bool finite[2] = {true, true};
  fixed_halves(n, n, [&](std::size_t half, std::size_t begin, std::size_t end) {
    finite[half] = exponents_finite(data + begin, end - begin);
  });
  return finite[0] && finite[1];
}

// `name` is "x[0]", "sample_weight[0]", ...
void check_finite(const std::string& where, const std::string& name, const Array& a) {
  if (all_finite(a.data(), a.size())) return;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (!std::isfinite(a.data()[i])) {
      const std::size_t per_sample = a.dimension() == 0 ? 1 : a.size() / std::max<std::size_t>(1, a.shape()[0]);
      throw Error(where + ": " + name + " contains " + (std::isnan(a.data()[i]) ? "NaN" : "Inf") + " in sample " +
                  std::to_string(i / per_sample));
    }
  }
}

void check_finite(const std::string& where, const char* what, const std::vector<Array>& arrays) {
  for (std::size_t k = 0; k < arrays.size(); ++k) check_finite(where, what + ("[" + std::to_string(k) + "]"), arrays[k]);
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
  check_finite(where, "sample_weight[0]", *sample_weight);
}

void Model::check_batch(const char* where, const Batch& batch, std::size_t index) const {
  const std::string at = std::string(where) + ": batch " + std::to_string(index);
  if (batch.x.empty()) throw Error(at + " has no input arrays");
  const std::size_t n = batch.rows();
  auto check_count = [&](const std::vector<Array>& arrays, const char* what) {
    for (std::size_t i = 0; i < arrays.size(); ++i) {
      if (rows_in(arrays[i]) != n) {
        throw ShapeError(at + ": x[0] has " + std::to_string(n) + " samples but " + what + "[" + std::to_string(i) +
                         "] has shape " + to_string(arrays[i].shape()));
      }
    }
  };
  check_count(batch.x, "x");
  check_count(batch.y, "y");
  check_finite(at, "x", batch.x);
  check_finite(at, "y", batch.y);
  if (!batch.sample_weight) return;
  if (rows_in(*batch.sample_weight) != n) {
    throw ShapeError(at + ": sample_weight " + to_string(batch.sample_weight->shape()) +
                     " must have one row per sample (" + std::to_string(n) + ")");
  }
  check_finite(at, "sample_weight", *batch.sample_weight);
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

void Model::prepare_data_parallel(const Batch& sample) {
  if (!built()) {
    // A lazily built model gets its weights from one row, so that rank 0
    // has weights to broadcast and the others places to receive them.
    NoGradGuard no_grad;
    forward(batch_rows(sample, 0, 1).x, false);
  }
  data_parallel_->synchronize_weights(weights());
}

void Model::share_step(const Batch& shard) {
  const auto part = data_parallel_->share_step(shard, compile_options_.loss_options.reduction);
  step_share_ = part.share;
  step_rows_ = part.rows;
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

std::map<std::string, double> Model::data_parallel_step(Batch shard) {
  share_step(shard);
  const auto params = trainable_weights();
  std::map<std::string, double> logs;
  if (shard.rows() == 0) {
    // No rows here: the rank still takes part in the gradient sum (adding
    // zeros) and in the metric sums, as the others' steps do.
    optimizer().apply_gradients(params);
    logs = metric_results("");
  } else {
    try {
      logs = train_step(std::move(shard));
    } catch (const std::exception& e) {
      data_parallel_->end_job_after_failure(e);
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
  Batch batch{x, y, std::nullopt};
  if (sample_weight) batch.sample_weight = *sample_weight;
  if (!data_parallel_) return train_step(std::move(batch));
  prepare_data_parallel(batch);
  const RowShard mine = data_parallel_->shard(batch.rows());
  return data_parallel_step(batch_rows(batch, mine.begin, mine.end));
}

}  // namespace kiln
