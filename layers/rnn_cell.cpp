#include "layers/rnn_cell.hpp"

#include "layers/activation.hpp"

namespace kiln {

void check_cell_activation(const std::string& who, const std::string& activation) {
  try {
    check_activation_name(activation);
  } catch (const Error& e) {
    throw Error(who + ": " + e.what());
  }
}

RNNCell::RNNCell(std::string class_name, std::string name) : Layer(std::move(class_name), std::move(name)) {}

std::size_t RNNCell::output_size() const { return state_sizes().at(0); }

void RNNCell::begin_sequence(std::size_t, std::size_t, bool) {}

void RNNCell::validate_inputs(const std::vector<PartialShape>& shapes) const {
  const std::vector<std::size_t> sizes = state_sizes();
  if (shapes.size() != 1 && shapes.size() != 1 + sizes.size()) {
    fail("expected [x] or [x and " + std::to_string(sizes.size()) + " state(s)], got " +
         std::to_string(shapes.size()) + " inputs");
  }
  if (shapes[0].size() != 2) fail("expected input (batch, features), got " + to_string(shapes[0]));
  known_last_dim(shapes[0]);
  for (std::size_t k = 0; k + 1 < shapes.size(); ++k) {
    const PartialShape& s = shapes[k + 1];
    if (s.size() != 2 || (s[1] != unknown_dim && s[1] != std::int64_t(sizes[k]))) {
      fail("state " + std::to_string(k) + " must be (batch, " + std::to_string(sizes[k]) + "), got " + to_string(s));
    }
  }
}

void RNNCell::check_compatible(const std::vector<PartialShape>& shapes) const {
  const std::int64_t built = built_input_shapes().at(0).back(), now = shapes.at(0).back();
  if (built != unknown_dim && now != unknown_dim && built != now) {
    fail("was built for " + std::to_string(built) + " input features and cannot be called on " + to_string(shapes[0]));
  }
}

std::vector<PartialShape> RNNCell::compute_output_shape(const std::vector<PartialShape>& shapes) const {
  const std::int64_t batch = shapes.at(0)[0];
  std::vector<PartialShape> out{PartialShape{batch, std::int64_t(output_size())}};
  for (std::size_t size : state_sizes()) out.push_back(PartialShape{batch, std::int64_t(size)});
  return out;
}

std::vector<Tensor> RNNCell::call(const std::vector<Tensor>& inputs, const CallContext& context) {
  const Tensor& x = inputs[0];
  std::vector<Tensor> states(inputs.begin() + 1, inputs.end());
  if (states.empty()) {
    for (std::size_t size : state_sizes()) states.emplace_back(Array(Shape{x.shape(0), size}, 0.0f));
  }
  for (std::size_t k = 0; k < states.size(); ++k) {
    if (states[k].shape(0) != x.shape(0)) {
      fail("state " + std::to_string(k) + " " + to_string(states[k].shape()) + " has another batch than input " +
           to_string(x.shape()));
    }
  }
  begin_sequence(x.shape(0), x.shape(1), context.training);
  CellStep result = step(x, states, context.training);
  std::vector<Tensor> outputs{result.output};
  outputs.insert(outputs.end(), result.states.begin(), result.states.end());
  return outputs;
}

}  // namespace kiln
