#include "layers/time_distributed.hpp"

#include <nlohmann/json.hpp>

#include "ops/reshape.hpp"

namespace kiln {

namespace {

// (batch, time, rest...) -> (None, rest...): what the inner layer sees.
PartialShape step_shape(const PartialShape& shape) {
  PartialShape step{unknown_dim};
  step.insert(step.end(), shape.begin() + 2, shape.end());
  return step;
}

}  // namespace

TimeDistributedLayer::TimeDistributedLayer(Options options)
    : KerasLayer(std::move(options)) {
  if (!options_.layer) throw Error(describe() + ": needs a layer to apply to each time step");
  track(options_.layer);
  set_supports_masking(true);
}

void TimeDistributedLayer::validate_inputs(const std::vector<PartialShape>& shapes) const {
  expect_inputs(shapes, 1, 0, "(batch, time, ...)");
  if (shapes[0].size() < 3) fail("expected input (batch, time, ...) of rank 3 or more, got " + to_string(shapes[0]));
}

void TimeDistributedLayer::build(const std::vector<PartialShape>& shapes) {
  options_.layer->build_for({step_shape(shapes[0])});
}

std::vector<PartialShape> TimeDistributedLayer::compute_output_shape(
    const std::vector<PartialShape>& shapes) const {
  const PartialShape& in = shapes.at(0);
  const auto inner = options_.layer->compute_output_shape({step_shape(in)});
  PartialShape out{in[0], in[1]};
  out.insert(out.end(), inner.at(0).begin() + 1, inner.at(0).end());
  return {out};
}

std::vector<Tensor> TimeDistributedLayer::call(const std::vector<Tensor>& inputs, const CallContext& context) {
  const Shape& in = inputs[0].shape();
  Shape folded{in[0] * in[1]};
  folded.insert(folded.end(), in.begin() + 2, in.end());
  const CallContext inner_context{.training = context.training};  // the steps are folded: no (batch, time) mask
  const auto outputs = (*options_.layer)({reshape(inputs[0], folded)}, inner_context);
  if (outputs.size() != 1) {
    fail("the inner layer " + options_.layer->describe() + " returned " + std::to_string(outputs.size()) +
         " outputs; TimeDistributed needs exactly one");
  }
  const Shape& y = outputs[0].shape();
  Shape unfolded{in[0], in[1]};
  unfolded.insert(unfolded.end(), y.begin() + 1, y.end());
  return {reshape(outputs[0], unfolded)};
}

}  // namespace kiln
