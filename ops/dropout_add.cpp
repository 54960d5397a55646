#include "ops/dropout_add.hpp"

#include <memory>
#include <string>
#include <vector>

#include "graph/backward.hpp"
#include "graph/error.hpp"
#include "graph/node.hpp"
#include "ops/arithmetic.hpp"
#include "ops/dropout_stream.hpp"
#include "ops/kernels.hpp"
#include "ops/parallel.hpp"

namespace kiln {

// With k the 0/1 keep flags and s = 1 / (1 - rate): y = residual + x * k * s,
//   dx = g * k * s,  dresidual = g
Tensor dropout_add(const Tensor& x, const Tensor& residual, float rate, bool training, std::mt19937_64& rng) {
  if (!(rate >= 0.0f && rate < 1.0f)) throw Error("dropout_add: rate must be in [0, 1), got " + std::to_string(rate));
  if (x.shape() != residual.shape()) throw_shape_error("dropout_add", "x and residual differ in shape:", x.shape(), residual.shape());
  if (!training || rate == 0.0f) return x + residual;
  const std::size_t n = x.size();
  auto keep = std::make_shared<std::vector<std::uint8_t>>(n);
  const DropoutStream stream(rng, rate);
  const float scale = 1.0f / (1.0f - rate);
  Array y = Array::from_shape(x.shape());
  // The loops are dispatched kernels (ops/kernels.hpp), at the CPU's width;
  // each half of the elements on kiln's two threads draws its flags and adds.
  const float *xd = x.value().data(), *rd = residual.value().data();
  parallel_halves(n, (DropoutStream::draw_flops + 2) * n, [&](std::size_t begin, std::size_t end) {
    stream.fill_part(keep->data(), begin, end);
    kernels::active().dropout_add_forward(xd + begin, rd + begin, keep->data() + begin, scale, y.data() + begin,
                                          end - begin);
  }, DropoutStream::part_align);
  return record(std::move(y), {x, residual}, [gx = x.grad_ref(), gr = residual.grad_ref(), keep, scale, n](Array& g) {
    if (gx.requires_grad()) {
      Array dx = Array::from_shape(g.shape());
      parallel_halves(n, 2 * n, [&](std::size_t begin, std::size_t end) {
        kernels::active().dropout_add_backward(g.data() + begin, keep->data() + begin, scale, dx.data() + begin,
                                               end - begin);
      }, DropoutStream::part_align);
      accumulate_grad(gx, std::move(dx));
    }
    accumulate_grad(gr, std::move(g));  // the residual's gradient is g itself: handed on, not copied
  });
}

}  // namespace kiln
