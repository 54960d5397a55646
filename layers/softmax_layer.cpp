#include "layers/softmax_layer.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "ops/arithmetic.hpp"
#include "ops/reshape.hpp"
#include "ops/softmax.hpp"

namespace kiln {

namespace {

// What Keras adds to a masked logit (_large_negative_number for float32).
constexpr float masked_logit = -1e9f;

std::string list(const std::vector<int>& values) {
  std::string out;
  for (int v : values) out += (out.empty() ? "" : ", ") + std::to_string(v);
  return "[" + out + "]";
}

}  // namespace

SoftmaxLayer::SoftmaxLayer(Options options) : KerasLayer(std::move(options)) {
  std::vector<int> sorted = options_.axis.values;
  std::sort(sorted.begin(), sorted.end());
  if (sorted.empty()) throw Error(describe() + ": axis must name at least one axis");
  if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end()) {
    throw Error(describe() + ": axis " + list(options_.axis.values) + " names an axis twice");
  }
  set_supports_masking(true);
}

std::vector<std::size_t> SoftmaxLayer::axes_for(const PartialShape& shape) const {
  const long rank = long(shape.size());
  std::vector<std::size_t> axes;
  for (int a : options_.axis.values) {
    const long axis = a < 0 ? rank + a : a;
    if (axis < 0 || axis >= rank) {
      fail("axis " + std::to_string(a) + " is out of range for input " + to_string(shape));
    }
    axes.push_back(std::size_t(axis));
  }
  std::sort(axes.begin(), axes.end());
  if (std::adjacent_find(axes.begin(), axes.end()) != axes.end()) {
    fail("axis " + list(options_.axis.values) + " names one axis twice for input " + to_string(shape));
  }
  return axes;
}

void SoftmaxLayer::validate_inputs(const std::vector<PartialShape>& shapes) const {
  expect_inputs(shapes, 1, 0, "(a tensor of any shape)");
  axes_for(shapes[0]);
}

void SoftmaxLayer::check_compatible(const std::vector<PartialShape>&) const {}

std::vector<PartialShape> SoftmaxLayer::compute_output_shape(const std::vector<PartialShape>& shapes) const {
  return {shapes.at(0)};
}

std::vector<Mask> SoftmaxLayer::compute_mask(const std::vector<Tensor>& inputs, const std::vector<Mask>& masks) const {
  if (masks.empty() || !masks[0]) return {};
  const Shape& shape = inputs.at(0).shape();
  if (masks[0]->shape() != Shape(shape.begin(), shape.end() - 1)) return {};
  return {masks[0]};
}

Array SoftmaxLayer::mask_adder(const Array& mask, const Shape& input) const {
  Shape shape = mask.shape();
  if (shape.size() + 1 == input.size()) shape.push_back(1);  // a per-position mask: same for every last-axis entry
  bool broadcasts = shape.size() == input.size();
  for (std::size_t i = 0; broadcasts && i < shape.size(); ++i) broadcasts = shape[i] == 1 || shape[i] == input[i];
  if (!broadcasts) {
    fail("a mask of shape " + to_string(mask.shape()) + " does not fit input " + to_string(input) +
         " (it must broadcast to the input, or cover every axis of it but the last)");
  }
  Array adder = Array::from_shape(shape);
  std::transform(mask.begin(), mask.end(), adder.begin(), [](float keep) { return (1.0f - keep) * masked_logit; });
  return adder;
}

std::vector<Tensor> SoftmaxLayer::call(const std::vector<Tensor>& inputs, const CallContext& context) {
  Tensor x = inputs[0];
  if (const Array* mask = context.mask(0)) x = x + Tensor(mask_adder(*mask, x.shape()));
  const std::vector<std::size_t> axes = axes_for(partial_shape_of(x.shape()));
  if (axes.size() == 1) return {softmax(x, int(axes[0]))};
  // Several axes: move them to the end, join them into one, and normalise over it.
  std::vector<std::size_t> order;
  for (std::size_t i = 0; i < x.ndim(); ++i) {
    if (!std::binary_search(axes.begin(), axes.end(), i)) order.push_back(i);
  }
  const std::size_t kept = order.size();
  order.insert(order.end(), axes.begin(), axes.end());
  Tensor moved = permute(x, order);
  const Shape moved_shape = moved.shape();
  Shape joined(moved_shape.begin(), moved_shape.begin() + std::ptrdiff_t(kept));
  joined.push_back(element_count(Shape(moved_shape.begin() + std::ptrdiff_t(kept), moved_shape.end())));
  Tensor y = reshape(softmax(reshape(moved, joined), -1), moved_shape);
  std::vector<std::size_t> inverse(order.size());
  for (std::size_t i = 0; i < order.size(); ++i) inverse[order[i]] = i;
  return {permute(y, inverse)};
}

}  // namespace kiln
