#include "layers/rnn.hpp"

#include "layers/step_loop.hpp"
#include "ops/stack.hpp"

namespace kiln {

namespace {

std::shared_ptr<RNNCell> as_cell(const std::shared_ptr<Layer>& layer, const std::string& who) {
  auto cell = std::dynamic_pointer_cast<RNNCell>(layer);
  if (!cell) {
    throw Error(who + ": the cell must be an RNNCell (SimpleRNNCell, GRUCell, LSTMCell or a class derived from " +
                "RNNCell), got " + (layer ? layer->describe() : std::string("none")));
  }
  return cell;
}

}  // namespace

RNNLayer::RNNLayer(Options options) : KerasLayer(std::move(options)), cell_(as_cell(options_.cell, describe())) {
  track(cell_);
  set_supports_masking(true);
}

void RNNLayer::validate_inputs(const std::vector<PartialShape>& shapes) const {
  const std::vector<std::size_t> sizes = cell_->state_sizes();
  if (shapes.size() != 1 && shapes.size() != 1 + sizes.size()) {
    fail("expected [x] or [x and " + std::to_string(sizes.size()) + " initial state(s)], got " +
         std::to_string(shapes.size()) + " inputs");
  }
  if (shapes[0].size() != 3) fail("expected input (batch, time, features), got " + to_string(shapes[0]));
  known_last_dim(shapes[0]);
  for (std::size_t k = 0; k + 1 < shapes.size(); ++k) {
    const PartialShape& s = shapes[k + 1];
    const PartialShape expected{shapes[0][0], std::int64_t(sizes[k])};
    bool fits = s.size() == 2;
    for (std::size_t i = 0; fits && i < 2; ++i) {
      fits = s[i] == unknown_dim || expected[i] == unknown_dim || s[i] == expected[i];
    }
    if (!fits) fail("initial state " + std::to_string(k) + " must be " + to_string(expected) + ", got " + to_string(s));
  }
}

void RNNLayer::check_compatible(const std::vector<PartialShape>& shapes) const {
  validate_inputs(shapes);
  const std::int64_t built = built_input_shapes().at(0).back(), now = shapes.at(0).back();
  if (built != unknown_dim && now != unknown_dim && built != now) {
    fail("was built for " + std::to_string(built) + " input features and cannot be called on " + to_string(shapes[0]));
  }
}

void RNNLayer::build(const std::vector<PartialShape>& shapes) {
  if (!cell_->built()) cell_->build_for({PartialShape{shapes[0][0], shapes[0][2]}});
}

std::vector<PartialShape> RNNLayer::compute_output_shape(const std::vector<PartialShape>& shapes) const {
  const std::int64_t batch = shapes.at(0)[0], out = std::int64_t(cell_->output_size());
  std::vector<PartialShape> result;
  result.push_back(options_.return_sequences ? PartialShape{batch, shapes[0][1], out} : PartialShape{batch, out});
  if (options_.return_state) {
    for (std::size_t size : cell_->state_sizes()) result.push_back(PartialShape{batch, std::int64_t(size)});
  }
  return result;
}

std::vector<Mask> RNNLayer::compute_mask(const std::vector<Tensor>&, const std::vector<Mask>& masks) const {
  if (options_.return_sequences && !masks.empty() && masks[0]) return {masks[0]};
  return {};
}

std::vector<Tensor> RNNLayer::call(const std::vector<Tensor>& inputs, const CallContext& context) {
  const Tensor& x = inputs[0];
  const std::size_t B = x.shape(0);
  if (x.shape(1) == 0) fail("expected at least one time step, got input " + to_string(x.shape()));
  const Array* mask = context.mask(0);
  if (mask && mask->shape() != Shape{B, x.shape(1)}) {
    fail("mask must be (batch, time) = " + to_string(Shape{B, x.shape(1)}) + ", got " + to_string(mask->shape()));
  }
  std::vector<Tensor> states(inputs.begin() + 1, inputs.end());
  if (states.empty()) {
    for (std::size_t size : cell_->state_sizes()) states.emplace_back(Array(Shape{B, size}, 0.0f));
  }
  for (std::size_t k = 0; k < states.size(); ++k) {
    if (states[k].shape(0) != B) {
      fail("initial state " + std::to_string(k) + " " + to_string(states[k].shape()) +
           " has another batch than input " + to_string(x.shape()));
    }
  }
  cell_->begin_sequence(B, x.shape(2), context.training);
  const bool training = context.training;
  RNNCell& cell = *cell_;
  SteppedSequence run = step_sequence(
      x, std::move(states),
      [&cell, training](const Tensor& x_t, const std::vector<Tensor>& s) {
        CellStep out = cell.step(x_t, s, training);
        return std::pair{out.output, out.states};
      },
      {.mask = mask, .go_backwards = options_.go_backwards, .zero_output_for_mask = options_.zero_output_for_mask});
  std::vector<Tensor> outputs{options_.return_sequences ? stack(run.outputs, 1) : run.outputs.back()};
  if (options_.return_state) outputs.insert(outputs.end(), run.final_states.begin(), run.final_states.end());
  return outputs;
}

}  // namespace kiln
