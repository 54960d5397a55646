#include "layers/dropout.hpp"

#include <sstream>

#include <nlohmann/json.hpp>

#include "ops/dropout.hpp"

namespace kiln {

DropoutLayer::DropoutLayer(Options options)
    : KerasLayer(std::move(options)), rng_(options_.seed ? *options_.seed : global_generator()()) {
  track_generator(rng_);
  if (!(options_.rate >= 0.0f && options_.rate < 1.0f)) {
    std::ostringstream msg;
    msg << describe() << ": rate must be in [0, 1), got " << options_.rate;
    throw Error(msg.str());
  }
  set_supports_masking(true);
}

void DropoutLayer::validate_inputs(const std::vector<PartialShape>& shapes) const {
  expect_inputs(shapes, 1, 0, "(a tensor of any shape)");
}

void DropoutLayer::check_compatible(const std::vector<PartialShape>&) const {}

std::vector<PartialShape> DropoutLayer::compute_output_shape(const std::vector<PartialShape>& shapes) const {
  return {shapes.at(0)};
}

std::vector<Tensor> DropoutLayer::call(const std::vector<Tensor>& inputs, const CallContext& context) {
  return {dropout(inputs[0], options_.rate, context.training, rng_)};
}

}  // namespace kiln
