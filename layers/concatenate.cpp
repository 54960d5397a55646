#include "layers/concatenate.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>
#include <xtensor/xmath.hpp>

#include "ops/concat.hpp"

namespace kiln {

ConcatenateLayer::ConcatenateLayer(Options options)
    : KerasLayer(std::move(options)) {
  set_supports_masking(true);
}

// The axis as an index into shapes of this rank; out of range: -1 (never valid).
std::size_t ConcatenateLayer::axis_for_rank(std::size_t rank) const {
  const long axis = options_.axis < 0 ? long(rank) + options_.axis : long(options_.axis);
  return axis >= 0 && axis < long(rank) ? std::size_t(axis) : std::size_t(-1);
}

void ConcatenateLayer::validate_inputs(const std::vector<PartialShape>& shapes) const {
  if (shapes.size() < 2) {
    fail("expected at least 2 inputs to concatenate, got " + std::to_string(shapes.size()) + ": " +
         to_string(shapes));
  }
  const PartialShape& first = shapes[0];
  const std::size_t axis = axis_for_rank(first.size());
  if (axis == std::size_t(-1)) {
    fail("axis " + std::to_string(options_.axis) + " is out of range for inputs " + to_string(shapes));
  }
  for (const auto& s : shapes) {
    bool match = s.size() == first.size();
    for (std::size_t i = 0; match && i < s.size(); ++i) {
      match = i == axis || s[i] == unknown_dim || first[i] == unknown_dim || s[i] == first[i];
    }
    if (!match) {
      fail("along axis " + std::to_string(options_.axis) + " all other dimensions must match, got " +
           to_string(shapes));
    }
  }
}

void ConcatenateLayer::check_compatible(const std::vector<PartialShape>&) const {}

std::vector<PartialShape> ConcatenateLayer::compute_output_shape(const std::vector<PartialShape>& shapes) const {
  PartialShape out = shapes.at(0);
  const std::size_t axis = axis_for_rank(out.size());
  out[axis] = 0;
  for (const auto& s : shapes) {
    for (std::size_t i = 0; i < out.size(); ++i) {
      if (i == axis) {
        out[i] = (out[i] == unknown_dim || s[i] == unknown_dim) ? unknown_dim : out[i] + s[i];
      } else if (out[i] == unknown_dim) {
        out[i] = s[i];
      }
    }
  }
  return {out};
}

std::vector<Tensor> ConcatenateLayer::call(const std::vector<Tensor>& inputs, const CallContext&) {
  return {concat(inputs, options_.axis)};
}

std::vector<Mask> ConcatenateLayer::compute_mask(const std::vector<Tensor>& inputs,
                                                const std::vector<Mask>& masks) const {
  if (std::none_of(masks.begin(), masks.end(), [](const Mask& m) { return m != nullptr; })) return {};
  const std::size_t rank = inputs.at(0).ndim();
  std::vector<Tensor> full;  // one (batch, time) mask per input, ones where it has none
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    const Shape& shape = inputs[i].shape();
    const Shape leading(shape.begin(), shape.end() - 1);
    if (masks[i] && masks[i]->shape() != leading) {
      fail("input " + std::to_string(i) + " of shape " + to_string(shape) + " has a mask of shape " +
           to_string(masks[i]->shape()) + "; a mask must cover every axis but the last");
    }
    full.emplace_back(masks[i] ? Array(xt::not_equal(*masks[i], 0.0f)) : Array(xt::ones<float>(leading)));
  }
  const std::size_t axis = axis_for_rank(rank);
  if (axis + 1 == rank) {  // features joined: a step is kept when any input keeps it
    Array any = full[0].value();
    for (std::size_t i = 1; i < full.size(); ++i) any = xt::maximum(any, full[i].value());
    return {std::make_shared<const Array>(std::move(any))};
  }
  return {std::make_shared<const Array>(concat(full, int(axis)).value())};
}

}  // namespace kiln
