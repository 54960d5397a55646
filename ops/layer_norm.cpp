#include "ops/layer_norm.hpp"

#include <memory>
#include <vector>

#include "graph/backward.hpp"
#include "graph/error.hpp"
#include "graph/node.hpp"
#include "ops/kernels.hpp"

namespace kiln {

namespace {

constexpr const char* op = "layer_norm";

void check_affine(const Shape& x, const Tensor& w, const char* name) {
  if (w.defined() && w.size() != x.back()) {
    throw ShapeError(std::string(op) + ": " + name + " " + to_string(w.shape()) + " must hold as many elements as " +
                     "the last axis of x " + to_string(x));
  }
}

// What backward needs of each row: its mean (0 with rms) and 1/sqrt(var + eps).
struct RowStats {
  std::vector<float> mean, inv;
};

}  // namespace

Tensor layer_norm(const Tensor& x, const Tensor& gamma, const Tensor& beta, LayerNormOptions o) {
  const Shape& shape = x.shape();
  if (shape.empty() || shape.back() == 0) throw ShapeError(std::string(op) + ": x must have a non-empty last axis, got " + to_string(shape));
  check_affine(shape, gamma, "gamma");
  check_affine(shape, beta, "beta");
  if (o.rms && beta.defined()) throw ShapeError(std::string(op) + ": rms normalization takes no beta");
  const std::size_t n = shape.back(), rows = x.size() / n;
  auto stats = std::make_shared<RowStats>();
  stats->mean.resize(rows);
  stats->inv.resize(rows);
  Array y = Array::from_shape(shape);
  // The row loops are dispatched kernels (ops/kernels.hpp): this file is
  // built for the portable baseline, where they would run 4 floats wide.
  kernels::active().layer_norm_forward({.rows = rows,
                                        .n = n,
                                        .epsilon = o.epsilon,
                                        .rms = o.rms,
                                        .x = x.value().data(),
                                        .gamma = gamma.defined() ? gamma.value().data() : nullptr,
                                        .beta = beta.defined() ? beta.value().data() : nullptr,
                                        .y = y.data(),
                                        .mean = stats->mean.data(),
                                        .inv = stats->inv.data()});

  // dx, dgamma and dbeta as derived in ops/kernels.hpp (LayerNormGradRows).
  return record(std::move(y), {x, gamma, beta},
                [gx = x.grad_ref(), gg = gamma.grad_ref(), gb = beta.grad_ref(), xv = x.shared_value(),
                 gv = gamma.defined() ? gamma.shared_value() : nullptr, stats, rows, n, rms = o.rms](const Array& g) {
    Array dx, dgamma, dbeta;
    if (gx.requires_grad()) dx = Array::from_shape(gx.shape());
    if (gg.requires_grad()) dgamma = xt::zeros<float>(gg.shape());
    if (gb.requires_grad()) dbeta = xt::zeros<float>(gb.shape());
    std::vector<float> scratch(2 * n);
    kernels::active().layer_norm_backward({.rows = rows,
                                           .n = n,
                                           .rms = rms,
                                           .dy = g.data(),
                                           .x = xv->data(),
                                           .gamma = gv ? gv->data() : nullptr,
                                           .mean = stats->mean.data(),
                                           .inv = stats->inv.data(),
                                           .scratch = scratch.data(),
                                           .dx = gx.requires_grad() ? dx.data() : nullptr,
                                           .dgamma = gg.requires_grad() ? dgamma.data() : nullptr,
                                           .dbeta = gb.requires_grad() ? dbeta.data() : nullptr});
    if (gx.requires_grad()) accumulate_grad(gx, std::move(dx));
    if (gg.requires_grad()) accumulate_grad(gg, std::move(dgamma));
    if (gb.requires_grad()) accumulate_grad(gb, std::move(dbeta));
  });
}

}  // namespace kiln
