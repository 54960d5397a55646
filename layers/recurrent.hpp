#pragma once
// RecurrentLayer: what GRU and LSTM share (Keras' RNN base class). It owns
// the Keras contract of a recurrent layer: input checks, initial states,
// masks, go_backwards, return_sequences / return_state, output shapes, output
// masks and config. A cell subclass adds only its weights and the fused op it
// runs (ops/gru.hpp, ops/lstm.hpp), which does the whole time loop.
//
// Inputs:  [x] or [x, initial states...]; x is (batch, time, features), each
//          state (batch, units); missing states start at zeros.
// Outputs: [output] or, with return_state, [output, final states...] where
//          output is (batch, time, units) with return_sequences, else (batch, units).
// Masks (CallContext::mask, (batch, time), 0 = padding) follow Keras: a
// masked step carries the states unchanged, and the output there repeats the
// previous step's output, which is zeros until the first unmasked step
// (zero_output_for_mask: zeros at every masked step). Without
// return_sequences the output is that sequence's last entry, so a row with no
// unmasked step outputs zeros while its state stays the initial one. With
// go_backwards the output sequence is in processing order, i.e. reversed, and
// its mask is the input mask as given (Keras does not reverse it either).

#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "layers/layer_config.hpp"
#include "layers/recurrent_dropout.hpp"
#include "layers/step_loop.hpp"

namespace kiln {

// The options every recurrent layer has (a cell's Options carry them too).
struct RecurrentSettings {
  std::size_t units = 0;
  bool return_sequences = false;
  bool return_state = false;
  bool go_backwards = false;
  bool zero_output_for_mask = false;
};

// The common settings of a cell's Options struct, and that struct with them
// replaced (RecurrentLayer::recreate, options_from_config).
template <class Options>
RecurrentSettings settings_of(const Options& o) {
  return {o.units, o.return_sequences, o.return_state, o.go_backwards, o.zero_output_for_mask};
}
template <class Options>
Options with_settings(Options o, std::string name, const RecurrentSettings& s) {
  o.units = s.units;
  o.return_sequences = s.return_sequences;
  o.return_state = s.return_state;
  o.go_backwards = s.go_backwards;
  o.zero_output_for_mask = s.zero_output_for_mask;
  o.name = std::move(name);
  return o;
}

// The config fields of the common settings, and of the cell options GRU and
// LSTM share (activations, bias, initializers), by their Keras keys.
template <class O>
constexpr auto recurrent_fields() {
  return std::tuple{config::field("units", &O::units), config::field("return_sequences", &O::return_sequences),
                    config::field("return_state", &O::return_state), config::field("go_backwards", &O::go_backwards),
                    config::field("zero_output_for_mask", &O::zero_output_for_mask)};
}
// Keras' dropout options of a recurrent layer (layers/recurrent_dropout.hpp).
template <class O>
constexpr auto dropout_fields() {
  return std::tuple{config::field("dropout", &O::dropout), config::field("recurrent_dropout", &O::recurrent_dropout),
                    config::field("seed", &O::seed)};
}
template <class O>
constexpr auto gated_cell_fields() {
  return std::tuple{config::field("activation", &O::activation),
                    config::field("recurrent_activation", &O::recurrent_activation),
                    config::field("use_bias", &O::use_bias),
                    config::field("kernel_initializer", &O::kernel_initializer),
                    config::field("recurrent_initializer", &O::recurrent_initializer),
                    config::field("bias_initializer", &O::bias_initializer)};
}

class RecurrentLayer : public Layer {
 public:
  // `state_names`: the carried states, h first ({"h"} for GRU, {"h", "c"} for LSTM).
  RecurrentLayer(std::string class_name, std::string name, RecurrentSettings settings,
                 std::vector<std::string> state_names);

  const RecurrentSettings& settings() const { return settings_; }
  std::size_t units() const { return settings_.units; }
  std::size_t state_count() const { return state_names_.size(); }

  // A new, unbuilt layer of the same kind and options, but this name and
  // these common settings (units are kept). Bidirectional makes its forward
  // and backward copies with it, as Keras re-creates a layer from its config.
  virtual std::shared_ptr<RecurrentLayer> recreate(std::string name, RecurrentSettings settings) const = 0;

  std::vector<PartialShape> compute_output_shape(const std::vector<PartialShape>& shapes) const override;
  // With return_sequences the sequence's mask for the output, else none;
  // the states have none.
  std::vector<Mask> compute_mask(const std::vector<Tensor>& inputs, const std::vector<Mask>& masks) const override;

 protected:
  // What a cell's fused op produced.
  struct CellRun {
    Tensor sequence;                  // (B, T, units): h after each step, processing order
    std::vector<Tensor> final_states; // state_count() tensors (B, units)
  };
  // Creates the cell's weights for inputs with `features` features.
  virtual void build_cell(std::size_t features) = 0;
  // Runs the recurrence (the fused op where it applies); `sequence` may be
  // left undefined unless `need_sequence`.
  virtual CellRun run_cell(const Tensor& x, const std::vector<Tensor>& initial_states, const Array* mask,
                           bool need_sequence, bool training) = 0;

  // The stepped path for what a fused op cannot do: `step` (the cell's
  // maths, layers/*_cell.hpp) run one step at a time by layers/step_loop.hpp.
  CellRun run_steps(const Tensor& x, const std::vector<Tensor>& initial_states, const Array* mask,
                    const StepFunction& step) const;
  // x with its (batch, features) dropout mask applied at every time step:
  // Keras' fused path with input dropout only.
  static Tensor drop_inputs(const Tensor& x, const std::vector<Array>& masks);

  // For a cell's constructor: throws unless the activations are the ones the
  // fused ops implement (tanh, sigmoid) and the initializer names are known.
  void check_cell_options(const std::string& activation, const std::string& recurrent_activation) const;

  void validate_inputs(const std::vector<PartialShape>& shapes) const override;
  // Only the sequence's feature size is fixed by the weights: a layer built on
  // [x] may later be given initial states [x, h0], as in Keras.
  void check_compatible(const std::vector<PartialShape>& shapes) const override;
  void build(const std::vector<PartialShape>& shapes) override;
  std::vector<Tensor> call(const std::vector<Tensor>& inputs, const CallContext& context) override;

 private:
  void check_shapes(const std::vector<PartialShape>& shapes) const;
  std::vector<Tensor> initial_states(const std::vector<Tensor>& inputs) const;

  RecurrentSettings settings_;
  std::vector<std::string> state_names_;
};

}  // namespace kiln
