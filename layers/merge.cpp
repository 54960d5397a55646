#include "layers/merge.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>
#include <xtensor/xmath.hpp>

#include "ops/reshape.hpp"

namespace kiln {

namespace {

// Keras' _compute_elemwise_op_output_shape for the axes after the batch;
// false when they do not broadcast.
bool broadcast_rest(PartialShape& into, const PartialShape& other) {
  if (into.size() < other.size()) {
    PartialShape longer = other;
    if (!broadcast_rest(longer, into)) return false;
    into = longer;
    return true;
  }
  const std::size_t lead = into.size() - other.size();
  for (std::size_t k = 0; k < other.size(); ++k) {
    std::int64_t& i = into[lead + k];
    const std::int64_t j = other[k];
    if (i == unknown_dim || j == unknown_dim) {
      i = unknown_dim;
    } else if (i == 1) {
      i = j;
    } else if (j != 1 && i != j) {
      return false;
    }
  }
  return true;
}

}  // namespace

Tensor MergeLayer::mask_or(const Tensor& a, const Tensor& b) {
  return Tensor(Array(xt::maximum(a.value(), b.value())));
}

MergeLayer::MergeLayer(std::string class_name, std::string name, std::size_t min_inputs, std::size_t max_inputs)
    : Layer(std::move(class_name), std::move(name)), min_inputs_(min_inputs), max_inputs_(max_inputs) {
  set_supports_masking(true);
}

void MergeLayer::validate_inputs(const std::vector<PartialShape>& shapes) const {
  const std::string count = max_inputs_ == min_inputs_ ? "exactly " + std::to_string(min_inputs_)
                                                       : "at least " + std::to_string(min_inputs_);
  if (shapes.size() < min_inputs_ || (max_inputs_ != 0 && shapes.size() > max_inputs_)) {
    fail("expected " + count + " inputs to merge, got " + std::to_string(shapes.size()) + ": " + to_string(shapes));
  }
  std::int64_t batch = unknown_dim;
  for (const auto& s : shapes) {
    if (s.empty()) fail("expected inputs (batch, ...), got a scalar among " + to_string(shapes));
    if (s[0] == unknown_dim) continue;
    if (batch != unknown_dim && s[0] != batch)
      fail("cannot merge inputs of different batch sizes: " + to_string(shapes));
    batch = s[0];
  }
  compute_output_shape(shapes);
}

void MergeLayer::check_compatible(const std::vector<PartialShape>&) const {}

std::vector<PartialShape> MergeLayer::compute_output_shape(const std::vector<PartialShape>& shapes) const {
  std::int64_t batch = unknown_dim;
  PartialShape rest;
  for (const auto& s : shapes) {
    if (batch == unknown_dim) batch = s.at(0);  // the one known batch size, if any
    if (!broadcast_rest(rest, PartialShape(s.begin() + 1, s.end()))) {
      fail("inputs of shapes " + to_string(shapes) + " do not broadcast together");
    }
  }
  PartialShape out{batch};
  out.insert(out.end(), rest.begin(), rest.end());
  return {out};
}

std::vector<Mask> MergeLayer::compute_mask(const std::vector<Tensor>&, const std::vector<Mask>& masks) const {
  if (masks.empty() || std::any_of(masks.begin(), masks.end(), [](const Mask& m) { return !m; })) return {};
  Array merged = xt::not_equal(*masks[0], 0.0f);
  for (std::size_t i = 1; i < masks.size(); ++i) {
    if (masks[i]->shape() != merged.shape()) {
      fail("cannot combine masks of shapes " + to_string(merged.shape()) + " and " + to_string(masks[i]->shape()));
    }
    merged = xt::maximum(merged, xt::not_equal(*masks[i], 0.0f));
  }
  return {std::make_shared<const Array>(std::move(merged))};
}

std::vector<Tensor> MergeLayer::call(const std::vector<Tensor>& inputs, const CallContext& context) {
  std::size_t rank = 0;
  for (const auto& x : inputs) rank = std::max(rank, x.ndim());
  std::vector<Tensor> same_rank;
  std::vector<Tensor> masks;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    const Tensor& x = inputs[i];
    const Array* mask = context.mask(i);
    if (x.ndim() < rank) {
      if (mask) fail("cannot merge a masked input of rank " + std::to_string(x.ndim()) + " with inputs of rank " + std::to_string(rank));
      Shape expanded{x.shape(0)};  // (batch, 1, .., 1, rest): the axes after the batch gain 1s
      for (std::size_t k = x.ndim(); k < rank; ++k) expanded.push_back(1);
      expanded.insert(expanded.end(), x.shape().begin() + 1, x.shape().end());
      same_rank.push_back(reshape(x, expanded));
      masks.emplace_back();
      continue;
    }
    same_rank.push_back(x);
    if (!mask) {
      masks.emplace_back();
      continue;
    }
    Shape per_entry(x.shape().begin(), x.shape().end() - 1);
    if (mask->shape() != per_entry) {
      fail("input " + std::to_string(i) + " of shape " + to_string(x.shape()) + " has a mask of shape " +
           to_string(mask->shape()) + "; a mask covers every axis but the last");
    }
    per_entry.push_back(1);
    Array expanded = *mask;
    expanded.reshape(per_entry);
    masks.emplace_back(std::move(expanded));
  }
  return {merge(same_rank, masks)};
}

}  // namespace kiln
