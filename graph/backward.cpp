#include "graph/backward.hpp"

#include <xtensor/xmath.hpp>
#include <xtensor/xreducer.hpp>

#include "graph/error.hpp"
#include "graph/memory_policy.hpp"

namespace kiln {

namespace {

// The common case (a bias broadcast over batch and time): only leading axes
// were added, so the gradient is `outer` contiguous copies of the target to
// add up. A row loop does it at memory speed, unlike a general reducer.
bool only_leading_axes_added(const Shape& from, const Shape& target) {
  if (from.size() <= target.size()) return false;
  return std::equal(target.begin(), target.end(), from.end() - std::ptrdiff_t(target.size()));
}

Array sum_leading_rows(const Array& grad, const Shape& target) {
  Array summed = xt::zeros<float>(target);
  const std::size_t inner = summed.size();
  if (inner == 0) return summed;
  const std::size_t outer = grad.size() / inner;
  float* __restrict out = summed.data();
  for (std::size_t r = 0; r < outer; ++r) {
    const float* __restrict row = grad.data() + r * inner;
    for (std::size_t i = 0; i < inner; ++i) out[i] += row[i];
  }
  return summed;
}

}  // namespace

Array unbroadcast(Array grad, const Shape& target) {
  const Shape& from = grad.shape();
  if (only_leading_axes_added(from, target)) return sum_leading_rows(grad, target);
  if (from.size() < target.size()) throw_shape_error("unbroadcast", "cannot reduce", from, target);
  const std::size_t lead = from.size() - target.size();
  std::vector<std::size_t> axes;
  for (std::size_t i = 0; i < from.size(); ++i) {
    if (i < lead) {
      axes.push_back(i);
    } else if (target[i - lead] == 1 && from[i] != 1) {
      axes.push_back(i);
    } else if (target[i - lead] != from[i]) {
      throw_shape_error("unbroadcast", "gradient shape does not broadcast to", from, target);
    }
  }
  if (axes.empty()) return grad;
  Array summed = xt::sum(grad, axes);
  summed.reshape(target);
  return summed;
}

GradTarget grad_target(const Tensor& t) {
  TensorImpl& impl = t.impl();
  if (impl.has_grad) return {impl.grad.data(), true};
  impl.grad = Array::from_shape(impl.value.shape());
  impl.has_grad = true;
  return {impl.grad.data(), false};
}

namespace {

void seed_output(const Tensor& output, std::optional<Array> seed) {
  if (!output.requires_grad()) {
    throw Error("backward: tensor '" + output.name() + "' " + to_string(output.shape()) +
                " does not require grad; nothing recorded leads to it");
  }
  if (!seed) {
    if (output.size() != 1) {
      throw ShapeError("backward: output " + to_string(output.shape()) +
                       " is not a scalar; pass a seed gradient of the same shape");
    }
    seed = Array::from_shape(output.shape());
    seed->fill(1.0f);
  } else if (seed->shape() != output.shape()) {
    throw_shape_error("backward", "seed gradient must match the output: got", seed->shape(),
                      output.shape());
  }
  accumulate_grad(output, std::move(*seed));
}

}  // namespace

void backward(const Tensor& output, std::optional<Array> seed, BackwardOptions options) {
  apply_memory_policy();
  seed_output(output, std::move(seed));
  auto& nodes = Tape::current().nodes();
  // Nothing inside a backward function is recorded (no higher-order graphs).
  NoGradGuard no_grad;
  for (auto it = nodes.rbegin(); it != nodes.rend(); ++it) {
    TensorImpl& out = *it->output;
    if (!out.has_grad) continue;  // not on a path to `output`
    it->backward(out.grad, out.value);
    // Intermediate gradients are released at once, as in PyTorch: only
    // leaves keep theirs, so memory stays bounded by the live graph.
    out.has_grad = false;
    out.grad = Array();
  }
  if (!options.retain_graph) Tape::current().clear();
}

}  // namespace kiln
