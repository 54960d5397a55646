#pragma once
// What Model::compile() takes, with Keras' names: an optimizer by name or
// object, a loss by name or function, and metrics by name.

#include <memory>
#include <string>
#include <vector>

#include "distributed/communicator.hpp"
#include "optimizers/optimizer.hpp"
#include "training/losses.hpp"

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

 private:
  std::string name_;
  LossFunction function_;
};

struct CompileOptions {
  OptimizerChoice optimizer = "adam";
  LossChoice loss = "categorical_crossentropy";
  std::vector<std::string> metrics = {};
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
