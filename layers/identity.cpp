#include "layers/identity.hpp"

#include <nlohmann/json.hpp>

namespace kiln {

IdentityLayer::IdentityLayer(Options options) : KerasLayer(std::move(options)) { set_supports_masking(true); }

void IdentityLayer::validate_inputs(const std::vector<PartialShape>& shapes) const {
  expect_inputs(shapes, 1, 0, "(a tensor of any shape)");
}

void IdentityLayer::check_compatible(const std::vector<PartialShape>&) const {}

std::vector<PartialShape> IdentityLayer::compute_output_shape(const std::vector<PartialShape>& shapes) const {
  return {shapes.at(0)};
}

std::vector<Tensor> IdentityLayer::call(const std::vector<Tensor>& inputs, const CallContext&) { return {inputs[0]}; }

}  // namespace kiln
