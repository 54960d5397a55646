#pragma once
// What Model::compile() takes, with Keras' names: an optimizer by name or
// object; losses, loss weights and metrics for one output or several (by
// position or by output name), metrics by name or as objects.

#include <initializer_list>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "distributed/communicator.hpp"
#include "optimizers/optimizer.hpp"
#include "training/losses.hpp"
#include "training/metrics.hpp"

namespace kiln {

// "adam" or std::make_shared<Adam>(Adam::Options{...}).
class OptimizerChoice {
 public:
  OptimizerChoice(const char* name) : name_(name) {}
  OptimizerChoice(std::string name) : name_(std::move(name)) {}
  template <class O>
  OptimizerChoice(std::shared_ptr<O> optimizer) : optimizer_(std::move(optimizer)) {}
  std::shared_ptr<Optimizer> make() const;

 private:
  std::string name_;
  std::shared_ptr<Optimizer> optimizer_;
};

// "categorical_crossentropy" or any LossFunction(y_pred, y_true, sample_weight).
class LossChoice {
 public:
  LossChoice(const char* name) : name_(name) {}
  LossChoice(std::string name) : name_(std::move(name)) {}
  LossChoice(LossFunction function, std::string name = "custom_loss")
      : name_(std::move(name)), function_(std::move(function)) {}
  const std::string& name() const { return name_; }
  LossFunction make(LossOptions options) const;
  // A loss given by name has a config; a C++ function has none.
  bool is_named() const { return !function_; }

 private:
  std::string name_;
  LossFunction function_;
};

// compile(loss=...) as Keras takes it: one loss for every output, a list
// with one per output, or a map by output name (outputs left out of the
// map get no loss).
class Losses {
 public:
  Losses(const char* name) : all_(name) {}
  Losses(std::string name) : all_(std::move(name)) {}
  Losses(LossChoice loss) : all_(std::move(loss)) {}
  Losses(LossFunction function) : all_(std::move(function)) {}
  Losses(std::initializer_list<LossChoice> per_output) : per_output_(per_output) {}
  Losses(std::vector<LossChoice> per_output) : per_output_(std::move(per_output)) {}
  Losses(std::map<std::string, LossChoice> by_name) : by_name_(std::move(by_name)) {}

  // The loss of output `index` named `name` of `count`; nullopt for none.
  // Throws kiln::Error when the list's length is not `count` or the map
  // names an output the model does not have.
  std::optional<LossChoice> for_output(std::size_t index, const std::vector<std::string>& names) const;

  // As Keras' compile_config writes it: a name, a list or a map of names;
  // nothing when a loss is a C++ function. from_config is the inverse
  // (FormatError for anything else).
  std::optional<nlohmann::json> to_config() const;
  static Losses from_config(const nlohmann::json& config);

 private:
  Losses() = default;
  std::optional<LossChoice> all_;
  std::vector<LossChoice> per_output_;
  std::map<std::string, LossChoice> by_name_;
};

// A metric by Keras name ("accuracy") or a metric object, a user's own
// included (it must serve one output only: objects hold state).
class MetricChoice {
 public:
  MetricChoice(const char* name) : name_(name) {}
  MetricChoice(std::string name) : name_(std::move(name)) {}
  template <class M>
  MetricChoice(std::shared_ptr<M> metric) : metric_(std::move(metric)) {}
  const std::shared_ptr<PredictionMetric>& object() const { return metric_; }
  const std::string& name() const { return name_; }
  std::shared_ptr<PredictionMetric> make(const std::string& loss_name) const;

 private:
  std::string name_;
  std::shared_ptr<PredictionMetric> metric_;
};

// compile(metrics=...): one list for every output, a list of lists (one
// per output), or a map from output name to its list.
class Metrics {
 public:
  Metrics() = default;
  Metrics(std::initializer_list<MetricChoice> all) : all_(all) {}
  Metrics(std::vector<MetricChoice> all) : all_(std::move(all)) {}
  Metrics(std::vector<std::string> names) : all_(names.begin(), names.end()) {}
  Metrics(std::vector<std::vector<MetricChoice>> per_output) : per_output_(std::move(per_output)), listed_(true) {}
  Metrics(std::map<std::string, std::vector<MetricChoice>> by_name) : by_name_(std::move(by_name)) {}

  // The metrics of output `index` among outputs `names` (same errors as Losses).
  std::vector<MetricChoice> for_output(std::size_t index, const std::vector<std::string>& names) const;
  bool empty() const { return all_.empty() && per_output_.empty() && by_name_.empty(); }
  // Names as Keras' compile_config writes them (a list, a list of lists or a
  // map); nothing when a metric is an object. from_config is the inverse.
  std::optional<nlohmann::json> to_config() const;
  static Metrics from_config(const nlohmann::json& config);

 private:
  std::vector<MetricChoice> all_;
  std::vector<std::vector<MetricChoice>> per_output_;
  bool listed_ = false;
  std::map<std::string, std::vector<MetricChoice>> by_name_;
};

// compile(loss_weights=...): a list with one weight per output, or a map by
// output name (1 for outputs left out). The total loss is sum_i w_i loss_i.
class LossWeights {
 public:
  LossWeights() = default;
  LossWeights(std::initializer_list<float> per_output) : per_output_(per_output) {}
  LossWeights(std::vector<float> per_output) : per_output_(std::move(per_output)) {}
  LossWeights(std::map<std::string, float> by_name) : by_name_(std::move(by_name)) {}
  float for_output(std::size_t index, const std::vector<std::string>& names) const;
  // null when unset, else a list or a map, as Keras writes it; and back.
  nlohmann::json to_config() const;
  static LossWeights from_config(const nlohmann::json& config);

 private:
  std::vector<float> per_output_;
  std::map<std::string, float> by_name_;
};

struct CompileOptions {
  OptimizerChoice optimizer = "adam";
  Losses loss = "categorical_crossentropy";
  Metrics metrics = {};
  LossWeights loss_weights = {};
  // Cross-entropies on logits instead of probabilities; masked mean for
  // sample weights that are padding masks (training/losses.hpp).
  LossOptions loss_options = {};
  // Data-parallel training across the processes of this communicator
  // (kiln::world() under mpirun; see models/data_parallel.hpp): fit,
  // train_on_batch and evaluate give each process its shard of every batch
  // and reduce gradients, loss and metrics, so every process must call them
  // together with the same data. Only rank 0 prints fit's progress and runs
  // root_only callbacks (ModelCheckpoint). Null: this process alone.
  std::shared_ptr<Communicator> communicator = nullptr;
};

}  // namespace kiln
