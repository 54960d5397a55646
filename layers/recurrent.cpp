#include "layers/recurrent.hpp"
#include "layers/registry.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "ops/arithmetic.hpp"
#include "ops/dropout.hpp"
#include "ops/stack.hpp"

namespace kiln {

namespace {

bool fits(const PartialShape& expected, const PartialShape& got) {
  if (expected.size() != got.size()) return false;
  for (std::size_t i = 0; i < got.size(); ++i) {
    if (expected[i] != unknown_dim && got[i] != unknown_dim && expected[i] != got[i]) return false;
  }
  return true;
}

bool all_ones(const Array& a) {
  for (float v : a) {
    if (v != 1.0f) return false;
  }
  return true;
}

// (B, T, 1) by processing step: 1 where the output is the step's state. A
// masked step repeats the previous output, which is the carried state once
// some step has run and zeros before (Keras' rnn loop starts its "previous
// output" at zeros); with zero_output_for_mask every masked step is zeros.
Array sequence_keep(const Array& mask, bool go_backwards, bool zero_output_for_mask) {
  const std::size_t B = mask.shape()[0], T = mask.shape()[1];
  Array keep = Array::from_shape({B, T, 1});
  for (std::size_t b = 0; b < B; ++b) {
    bool seen = false;
    for (std::size_t s = 0; s < T; ++s) {
      const bool on = mask(b, go_backwards ? T - 1 - s : s) != 0.0f;
      seen = seen || on;
      keep(b, s, 0) = (zero_output_for_mask ? on : seen) ? 1.0f : 0.0f;
    }
  }
  return keep;
}

// (B, 1): 1 where the last output is the final state. Keras' last output is
// the sequence's last entry (sequence_keep above): zeros when no step ran, or
// with zero_output_for_mask when the last processed step is masked.
Array last_keep(const Array& mask, bool go_backwards, bool zero_output_for_mask) {
  const Array keep = sequence_keep(mask, go_backwards, zero_output_for_mask);
  const std::size_t B = mask.shape()[0], T = mask.shape()[1];
  Array last = Array::from_shape({B, 1});
  for (std::size_t b = 0; b < B; ++b) last(b, 0) = keep(b, T - 1, 0);
  return last;
}

}  // namespace

RecurrentLayer::RecurrentLayer(std::string class_name, std::string name, RecurrentSettings settings,
                               std::vector<std::string> state_names)
    : Layer(std::move(class_name), std::move(name)),
      settings_(settings),
      state_names_(std::move(state_names)) {
  if (settings_.units == 0) throw Error(describe() + ": units must be positive");
  set_supports_masking(true);
}

void RecurrentLayer::check_cell_options(const std::string& activation, const std::string& recurrent_activation) const {
  if (activation != "tanh" || recurrent_activation != "sigmoid") {
    throw Error(describe() + ": activation '" + activation + "' with recurrent_activation '" + recurrent_activation +
                "' is not supported; the fused op implements activation 'tanh' and recurrent_activation 'sigmoid'");
  }
}

void RecurrentLayer::check_shapes(const std::vector<PartialShape>& shapes) const {
  const std::size_t S = state_count();
  if (shapes.size() != 1 && shapes.size() != 1 + S) {
    std::string states;
    for (const auto& n : state_names_) states += ", " + n + "0";
    fail("expected inputs [x] or [x" + states + "], got " + std::to_string(shapes.size()) + " inputs");
  }
  const PartialShape& x = shapes[0];
  if (x.size() != 3) fail("expected input (batch, time, features), got " + to_string(x));
  const PartialShape expected{x[0], std::int64_t(settings_.units)};
  for (std::size_t k = 0; k + 1 < shapes.size(); ++k) {
    if (!fits(expected, shapes[k + 1])) {
      fail("initial state " + state_names_[k] + "0 must be (batch, units) = " + to_string(expected) + ", got " +
           to_string(shapes[k + 1]));
    }
  }
}

void RecurrentLayer::validate_inputs(const std::vector<PartialShape>& shapes) const {
  check_shapes(shapes);
  known_last_dim(shapes[0]);
}

void RecurrentLayer::check_compatible(const std::vector<PartialShape>& shapes) const {
  const std::int64_t built = built_input_shapes().at(0).back();
  if (built != unknown_dim && shapes[0].back() != unknown_dim && shapes[0].back() != built) {
    fail("was built for " + std::to_string(built) + " input features and cannot be called on " + to_string(shapes[0]));
  }
}

void RecurrentLayer::build(const std::vector<PartialShape>& shapes) { build_cell(known_last_dim(shapes[0])); }

std::vector<PartialShape> RecurrentLayer::compute_output_shape(const std::vector<PartialShape>& shapes) const {
  check_shapes(shapes);
  const std::int64_t batch = shapes[0][0], units = std::int64_t(settings_.units);
  std::vector<PartialShape> out;
  out.push_back(settings_.return_sequences ? PartialShape{batch, shapes[0][1], units} : PartialShape{batch, units});
  if (settings_.return_state) out.insert(out.end(), state_count(), PartialShape{batch, units});
  return out;
}

std::vector<Mask> RecurrentLayer::compute_mask(const std::vector<Tensor>&, const std::vector<Mask>& masks) const {
  if (settings_.return_sequences && !masks.empty() && masks[0]) return {masks[0]};
  return {};
}

std::vector<Tensor> RecurrentLayer::initial_states(const std::vector<Tensor>& inputs) const {
  if (inputs.size() > 1) return {inputs.begin() + 1, inputs.end()};
  const Shape shape{inputs[0].shape(0), settings_.units};
  return std::vector<Tensor>(state_count(), Tensor(Array(shape, 0.0f)));
}

RecurrentLayer::CellRun RecurrentLayer::run_steps(const Tensor& x, const std::vector<Tensor>& initial_states,
                                                  const Array* mask, const StepFunction& step) const {
  // The loop's outputs equal the carried h wherever call() keeps them, so
  // they serve as the sequence of states call() expects.
  SteppedSequence run = step_sequence(x, initial_states, step, {.mask = mask, .go_backwards = settings_.go_backwards});
  return {stack(run.outputs, 1), std::move(run.final_states)};
}

Tensor RecurrentLayer::drop_inputs(const Tensor& x, const std::vector<Array>& masks) {
  if (masks.empty()) return x;
  const Array& m = masks.at(0);  // (B, D), the same at every step: (B, 1, D)
  Array per_step = Array::from_shape({m.shape()[0], 1, m.shape()[1]});
  std::copy(m.begin(), m.end(), per_step.begin());
  return mask_multiply(x, std::move(per_step));
}

std::vector<Tensor> RecurrentLayer::call(const std::vector<Tensor>& inputs, const CallContext& context) {
  const Tensor& x = inputs[0];
  const Shape batch_time{x.shape(0), x.shape(1)};
  if (x.shape(1) == 0) fail("expected at least one time step, got input " + to_string(x.shape()));
  const Array* mask = context.mask(0);
  if (mask && mask->shape() != batch_time) {
    fail("mask must be (batch, time) = " + to_string(batch_time) + ", got " + to_string(mask->shape()));
  }

  CellRun run = run_cell(x, initial_states(inputs), mask, settings_.return_sequences, context.training);
  Tensor output = settings_.return_sequences ? run.sequence : run.final_states[0];
  if (mask) {
    const bool gb = settings_.go_backwards, zeros = settings_.zero_output_for_mask;
    Array keep = settings_.return_sequences ? sequence_keep(*mask, gb, zeros) : last_keep(*mask, gb, zeros);
    if (!all_ones(keep)) output = output * Tensor(std::move(keep));
  }
  std::vector<Tensor> outputs{output};
  if (settings_.return_state) outputs.insert(outputs.end(), run.final_states.begin(), run.final_states.end());
  return outputs;
}

}  // namespace kiln
