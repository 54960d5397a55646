#include "ops/concat.hpp"

#include "graph/backward.hpp"
#include "graph/error.hpp"
#include "ops/axis.hpp"
#include "ops/block_copy.hpp"

namespace kiln {

namespace {

// The concatenated shape; checks that every shape matches the first outside
// `axis` (`given` is the axis as the caller wrote it, for the message).
Shape concat_shape(const std::vector<Tensor>& tensors, std::size_t axis, int given) {
  const Shape& first = tensors[0].shape();
  Shape out = first;
  out[axis] = 0;
  for (const Tensor& t : tensors) {
    const Shape& s = t.shape();
    bool match = s.size() == first.size();
    for (std::size_t i = 0; match && i < s.size(); ++i) match = i == axis || s[i] == first[i];
    if (!match) {
      throw_shape_error("concat", "along axis " + std::to_string(given) +
                                      " all other dimensions must match, got", first, s);
    }
    out[axis] += s[axis];
  }
  return out;
}

}  // namespace

// d concat(x1, .., xn) = the slices of g along `axis` that each xi filled
Tensor concat(const std::vector<Tensor>& tensors, int axis) {
  if (tensors.empty()) throw Error("concat: needs at least one tensor");
  const std::size_t ax = normalize_axis("concat", axis, tensors[0].shape());
  Array y = Array::from_shape(concat_shape(tensors, ax, axis));

  // Each of the `outer` output blocks is the inputs' blocks laid end to end.
  const AxisSplit out = split_at_axis(y.shape(), ax);
  const std::size_t out_block = out.n * out.inner;
  std::size_t at = 0;  // where the current input starts inside an output block
  for (const Tensor& t : tensors) {
    const std::size_t block = t.shape()[ax] * out.inner;
    copy_rows(t.value().data(), block, y.data() + at, out_block, out.outer, block);
    at += block;
  }

  return record(std::move(y), tensors, [targets = grad_refs(tensors), ax](const Array& g) {
    const AxisSplit out = split_at_axis(g.shape(), ax);
    const std::size_t out_block = out.n * out.inner;
    std::size_t at = 0;
    for (const GradRef& t : targets) {
      const std::size_t block = t.shape()[ax] * out.inner;
      if (t.requires_grad()) {
        const GradTarget dt = grad_target(t);
        copy_rows(g.data() + at, out_block, dt.data, block, out.outer, block, dt.accumulate);
      }
      at += block;
    }
  });
}

}  // namespace kiln
