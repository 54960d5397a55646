#pragma once
// Optimizer: Keras 3's optimizer contract. apply_gradients(params) updates,
// in place, every parameter that has a gradient, one step:
//
//   1. clip the gradients (clipnorm per tensor, or global_clipnorm over all
//      of them, or clipvalue element-wise; at most one of the three);
//   2. decoupled weight decay, w -= w * weight_decay * lr (AdamW's rule;
//      off when weight_decay is 0);
//   3. the optimizer's own update (SGD, Adam, RMSprop...);
//   4. iterations() += 1.
//
// lr is learning_rate, or learning_rate_schedule(iterations()) when a
// schedule is set (Keras' LearningRateSchedule is called with the count of
// updates done so far, 0 for the first).
//
// Per-parameter state (Adam's m and v, the "slots") is created, zeroed, the
// first time a parameter is passed in and is keyed by the parameter's
// identity (the Tensor handle's storage), not its position, so the list may
// change order. After that first step a step allocates nothing.

#include <cstddef>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "graph/tensor.hpp"
#include "io/options_config.hpp"
#include "io/safetensors.hpp"

namespace kiln {

// Maps the number of updates done so far (0 for the first) to a learning rate.
using LearningRateSchedule = std::function<float(std::size_t step)>;

// The options every optimizer takes (Keras' base optimizer arguments). Each
// optimizer's own Options struct repeats these fields, with its own default
// learning rate, so that they read as keyword arguments:
// Adam({.learning_rate = 1e-3f, .clipnorm = 1.0f}).
struct OptimizerOptions {
  float learning_rate = 1e-3f;
  float weight_decay = 0.0f;     // decoupled: w -= w * weight_decay * lr
  float clipnorm = 0.0f;         // > 0: each gradient rescaled to L2 norm <= clipnorm
  float global_clipnorm = 0.0f;  // > 0: all gradients rescaled together, global norm <= this
  float clipvalue = 0.0f;        // > 0: each gradient element clipped to [-clipvalue, clipvalue]
  LearningRateSchedule learning_rate_schedule = {};  // when set, overrides learning_rate
};

// The common fields of an optimizer's own Options struct.
template <class O>
OptimizerOptions common_options(const O& o) {
  return {o.learning_rate, o.weight_decay, o.clipnorm, o.global_clipnorm, o.clipvalue,
          o.learning_rate_schedule};
}

// The config fields every optimizer's Options has, by Keras' keys (an
// optimizer's own fields() appends its own to these; the schedule, being
// C++ code, has none).
template <class O>
constexpr auto common_fields() {
  return std::tuple{config::field("learning_rate", &O::learning_rate), config::field("weight_decay", &O::weight_decay),
                    config::field("clipnorm", &O::clipnorm), config::field("global_clipnorm", &O::global_clipnorm),
                    config::field("clipvalue", &O::clipvalue)};
}

class Optimizer {
 public:
  virtual ~Optimizer() = default;
  Optimizer(const Optimizer&) = delete;
  Optimizer& operator=(const Optimizer&) = delete;

  // One step over `params` (see the top of this file). Parameters without a
  // gradient are skipped (but get their zeroed slots, as Keras builds them).
  // Throws kiln::Error when no parameter has a gradient, when one appears
  // twice, or when a gradient's shape differs from its parameter's.
  void apply_gradients(const std::vector<Tensor>& params);
  // Keras' apply_gradients(zip(grads, weights)): grads[i] updates weights[i]
  // (as GradientTape::gradient returns them); an undefined gradient (Keras'
  // None) skips its weight. The weights' own stored gradients are not read.
  void apply_gradients(const std::vector<Tensor>& grads, const std::vector<Tensor>& weights);

  // A parameter and the gradient to apply to it (null: none, skipped).
  struct Update {
    const Tensor* param;
    const Array* grad;
  };
  // Runs first in every apply_gradients, and may replace the gradients
  // (pointing them at arrays it owns): data-parallel training installs the
  // sum across processes here, so a custom train_step gets it too.
  using GradientReducer = std::function<void(std::span<Update> updates)>;
  void set_gradient_reducer(GradientReducer reducer) { reducer_ = std::move(reducer); }

  // "adam", "sgd", ...
  const std::string& name() const { return name_; }
  // Keras' get_config(): "name" and the options by Keras' keys, with the
  // learning rate as it is now (a ReduceLROnPlateau may have lowered it).
  // Throws kiln::Error when a learning_rate_schedule is set (C++ code has
  // no config) or the optimizer recorded none (a user's own class).
  nlohmann::json get_config() const;
  const OptimizerOptions& options() const { return options_; }

  // Updates applied so far.
  std::size_t iterations() const { return iterations_; }

  // The rate the next step uses: the schedule's value at iterations(), or
  // the fixed learning_rate.
  float learning_rate() const;
  // Changes the fixed rate (for callbacks such as ReduceLROnPlateau). Throws
  // kiln::Error when a schedule is set, as Keras does.
  void set_learning_rate(float learning_rate);

  // The slot names of this optimizer, e.g. {"m", "v"} for Adam.
  const std::vector<std::string>& slot_names() const { return slot_names_; }

  // Everything needed to resume exactly: "iterations" (a scalar, exact up
  // to 2^24 steps in float32) and, for every parameter seen so far in the
  // order first seen, "<parameter name>/<slot>" shaped as the parameter.
  // Throws kiln::Error when a parameter has no name or two share one.
  std::vector<io::NamedArray> state() const;

  // Replaces all state with `state` (as returned by state()) for `params`,
  // matched by name. Every entry is checked before anything changes: an
  // entry missing, unknown (no such parameter or slot), or of the wrong
  // shape throws kiln::Error naming it.
  void load_state(const std::vector<io::NamedArray>& state, const std::vector<Tensor>& params);

 protected:
  // `slot_names`: the per-parameter state arrays update() receives, in order.
  Optimizer(std::string name, OptimizerOptions options, std::vector<std::string> slot_names);

  // What one step knows besides the tensors.
  struct Step {
    float learning_rate;  // this step's lr
    std::size_t number;   // 1 for the first update (Keras' local_step)
  };

  // The optimizer's own rule for one parameter of n floats: w in place,
  // with gradient g (already clipped) and its slots (n floats each, in
  // slot_names order, zero before the first step).
  virtual void update(const Step& step, float* w, const float* g, std::span<float* const> slots,
                      std::size_t n) = 0;

  // Each optimizer records its options' config once, from its Options'
  // field list: set_config(options) in its constructor.
  template <class Options>
  void set_config(const Options& options) {
    config_ = nlohmann::json::object();
    config::write_fields(options, config_);
  }

  // "Adam: beta_1 must be in [0, 1), got 1.5" for a bad option.
  [[noreturn]] void fail_option(const std::string& option, const std::string& expected, float got) const;

 private:
  struct ParamState {
    Tensor param;                       // kept alive: its id() is the key
    std::vector<Array> slots;
    std::size_t updated_at = 0;         // the apply_gradients call that last saw it, to catch duplicates
  };

  void apply(std::span<Update> updates);
  ParamState& state_for(const Tensor& param);
  void check_gradients(std::span<const Update> updates, std::size_t call);
  float clip_scale(const float* g, std::size_t n, float max_norm) const;
  double global_norm(std::span<const Update> updates) const;
  const float* clipped(const Array& grad, float scale);
  void decay(float* w, std::size_t n, float lr) const;
  std::string state_name(const std::string& param, const std::string& slot) const;

  std::string name_;
  OptimizerOptions options_;
  std::vector<std::string> slot_names_;
  nlohmann::json config_;  // null until set_config
  std::size_t iterations_ = 0;
  std::size_t calls_ = 0;  // apply_gradients calls, failed ones included
  std::vector<ParamState> states_;                               // in first-seen order
  std::unordered_map<const void*, std::size_t> state_index_;     // param id() -> states_ index
  std::vector<float> scratch_;                                   // clipped gradient
  GradientReducer reducer_;
};

}  // namespace kiln
