#include "ops/layer_norm.hpp"

#include <memory>
#include <vector>

#include "graph/backward.hpp"
#include "graph/error.hpp"
#include "graph/node.hpp"
#include "ops/kernels.hpp"
#include "ops/parallel.hpp"

namespace kiln {

namespace {

constexpr const char* layer_norm_op = "layer_norm";

void check_affine(const Shape& x, const Tensor& w, const char* name) {
  if (w.defined() && w.size() != x.back()) {
    throw ShapeError(std::string(layer_norm_op) + ": " + name + " " + to_string(w.shape()) +
                     " must hold as many elements as " + "the last axis of x " + to_string(x));
  }
}

// What backward needs of each row: its mean (0 with rms) and 1/sqrt(var + eps).
struct RowStats {
  std::vector<float> mean, inv;
};

// About ten floating-point operations per element, forward or backward.
std::size_t norm_flops(std::size_t rows, std::size_t n) { return 10 * rows * n; }

// The backward kernel over rows [r0, r1): dx's rows, dgamma and dbeta summed into the given buffers.
void backward_rows(kernels::LayerNormGradRows p, std::size_t r0, std::size_t r1, float* dgamma, float* dbeta) {
  std::vector<float> scratch(2 * p.n);
  p.dy += r0 * p.n;
  p.x += r0 * p.n;
  p.mean += r0;
  p.inv += r0;
  if (p.dx) p.dx += r0 * p.n;
  p.rows = r1 - r0;
  p.scratch = scratch.data();
  p.dgamma = dgamma;
  p.dbeta = dbeta;
  kernels::active().layer_norm_backward(p);
}

}  // namespace

Tensor layer_norm(const Tensor& x, const Tensor& gamma, const Tensor& beta, LayerNormOptions o) {
  const Shape& shape = x.shape();
  if (shape.empty() || shape.back() == 0)
    throw ShapeError(std::string(layer_norm_op) + ": x must have a non-empty last axis, got " + to_string(shape));
  check_affine(shape, gamma, "gamma");
  check_affine(shape, beta, "beta");
  if (o.rms && beta.defined()) throw ShapeError(std::string(layer_norm_op) + ": rms normalization takes no beta");
  const std::size_t n = shape.back(), rows = x.size() / n;
  auto stats = std::make_shared<RowStats>();
  stats->mean.resize(rows);
  stats->inv.resize(rows);
  Array y = Array::from_shape(shape);
  // The row loops are dispatched kernels (ops/kernels.hpp): this file is
  // built for the portable baseline, where they would run 4 floats wide.
  // Rows are independent: in two halves on kiln's two threads (ops/parallel.hpp).
  parallel_halves(rows, norm_flops(rows, n), [&](std::size_t r0, std::size_t r1) {
    kernels::active().layer_norm_forward({.rows = r1 - r0,
                                          .n = n,
                                          .epsilon = o.epsilon,
                                          .rms = o.rms,
                                          .x = x.value().data() + r0 * n,
                                          .gamma = gamma.defined() ? gamma.value().data() : nullptr,
                                          .beta = beta.defined() ? beta.value().data() : nullptr,
                                          .y = y.data() + r0 * n,
                                          .mean = stats->mean.data() + r0,
                                          .inv = stats->inv.data() + r0});
  });

  // dx, dgamma and dbeta as derived in ops/kernels.hpp (LayerNormGradRows).
  return record(std::move(y), {x, gamma, beta},
                [gx = x.grad_ref(), gg = gamma.grad_ref(), gb = beta.grad_ref(), xv = x.shared_value(),
                 gv = gamma.defined() ? gamma.shared_value() : nullptr, stats, rows, n, rms = o.rms](const Array& g) {
    Array dx, dgamma, dbeta;
    if (gx.requires_grad()) dx = Array::from_shape(gx.shape());
    if (gg.requires_grad()) dgamma = xt::zeros<float>(gg.shape());
    if (gb.requires_grad()) dbeta = xt::zeros<float>(gb.shape());
    const kernels::LayerNormGradRows all{.rows = rows,
                                         .n = n,
                                         .rms = rms,
                                         .dy = g.data(),
                                         .x = xv->data(),
                                         .gamma = gv ? gv->data() : nullptr,
                                         .mean = stats->mean.data(),
                                         .inv = stats->inv.data(),
                                         .scratch = nullptr,  // scratch and the sums: each half's own
                                         .dx = gx.requires_grad() ? dx.data() : nullptr,
                                         .dgamma = nullptr,
                                         .dbeta = nullptr};
    // The rows in two fixed halves (ops/parallel.hpp): the first sums dgamma
    // and dbeta into theirs, the second into its own, added after.
    const bool want_gamma = gg.requires_grad(), want_beta = gb.requires_grad();
    std::vector<float> second_dgamma(want_gamma ? n : 0, 0.0f), second_dbeta(want_beta ? n : 0, 0.0f);
    fixed_halves(rows, norm_flops(rows, n), [&](std::size_t half, std::size_t first, std::size_t last) {
      float* gamma_sum = !want_gamma ? nullptr : half == 0 ? dgamma.data() : second_dgamma.data();
      float* beta_sum = !want_beta ? nullptr : half == 0 ? dbeta.data() : second_dbeta.data();
      backward_rows(all, first, last, gamma_sum, beta_sum);
    });
    for (std::size_t i = 0; i < second_dgamma.size(); ++i) dgamma.data()[i] += second_dgamma[i];
    for (std::size_t i = 0; i < second_dbeta.size(); ++i) dbeta.data()[i] += second_dbeta[i];
    if (gx.requires_grad()) accumulate_grad(gx, std::move(dx));
    if (gg.requires_grad()) accumulate_grad(gg, std::move(dgamma));
    if (gb.requires_grad()) accumulate_grad(gb, std::move(dbeta));
  });
}

}  // namespace kiln
