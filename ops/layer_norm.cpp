#include "ops/layer_norm.hpp"

#include <cmath>
#include <memory>
#include <vector>

#include "graph/backward.hpp"
#include "graph/error.hpp"
#include "graph/node.hpp"
#include "ops/row_math.hpp"

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

// Row by row: the sums through the xsimd row kernels (ops/row_math.hpp),
// the element-wise passes plain loops the compiler vectorises.
void forward_rows(const float* x, const float* gamma, const float* beta, float* y, std::size_t rows, std::size_t n,
                  const LayerNormOptions& o, RowStats& stats) {
  for (std::size_t r = 0; r < rows; ++r) {
    const float* __restrict xr = x + r * n;
    float* __restrict yr = y + r * n;
    const float mean = o.rms ? 0.0f : row::sum(xr, n) / float(n);
    for (std::size_t i = 0; i < n; ++i) yr[i] = xr[i] - mean;  // centred, then scaled in place
    const float inv = 1.0f / std::sqrt(row::dot(yr, yr, n) / float(n) + o.epsilon);
    stats.mean[r] = mean;
    stats.inv[r] = inv;
    for (std::size_t i = 0; i < n; ++i) yr[i] *= inv;
    if (gamma) {
      for (std::size_t i = 0; i < n; ++i) yr[i] *= gamma[i];
    }
    if (beta) {
      for (std::size_t i = 0; i < n; ++i) yr[i] += beta[i];
    }
  }
}

// Per row, with xhat = (x - mean) * inv and g = dy * gamma:
//   dx = inv * (g - mean(g) - xhat * mean(g * xhat))     (rms: no mean(g) term)
//   dgamma += dy * xhat,  dbeta += dy
void backward_rows(const float* dy, const float* x, const float* gamma, const RowStats& stats, float* dx,
                   float* dgamma, float* dbeta, std::size_t rows, std::size_t n, bool rms) {
  std::vector<float> g(n), xhat(n);
  for (std::size_t r = 0; r < rows; ++r) {
    const float* __restrict dyr = dy + r * n;
    const float* __restrict xr = x + r * n;
    float* __restrict gr = g.data();
    float* __restrict hr = xhat.data();
    const float m = stats.mean[r], inv = stats.inv[r];
    for (std::size_t i = 0; i < n; ++i) hr[i] = (xr[i] - m) * inv;
    if (gamma) {
      for (std::size_t i = 0; i < n; ++i) gr[i] = dyr[i] * gamma[i];
    } else {
      for (std::size_t i = 0; i < n; ++i) gr[i] = dyr[i];
    }
    if (dgamma) {
      for (std::size_t i = 0; i < n; ++i) dgamma[i] += dyr[i] * hr[i];
    }
    if (dbeta) {
      for (std::size_t i = 0; i < n; ++i) dbeta[i] += dyr[i];
    }
    if (!dx) continue;
    const float g_mean = rms ? 0.0f : row::sum(gr, n) / float(n), gx_mean = row::dot(gr, hr, n) / float(n);
    float* __restrict dxr = dx + r * n;
    for (std::size_t i = 0; i < n; ++i) dxr[i] = inv * (gr[i] - g_mean - hr[i] * gx_mean);
  }
}

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
  forward_rows(x.value().data(), gamma.defined() ? gamma.value().data() : nullptr,
               beta.defined() ? beta.value().data() : nullptr, y.data(), rows, n, o, *stats);

  return record(std::move(y), {x, gamma, beta},
                [gx = x.grad_ref(), gg = gamma.grad_ref(), gb = beta.grad_ref(), xv = x.shared_value(),
                 gv = gamma.defined() ? gamma.shared_value() : nullptr, stats, rows, n, rms = o.rms](const Array& g) {
    Array dx, dgamma, dbeta;
    if (gx.requires_grad()) dx = Array::from_shape(gx.shape());
    if (gg.requires_grad()) dgamma = xt::zeros<float>(gg.shape());
    if (gb.requires_grad()) dbeta = xt::zeros<float>(gb.shape());
    backward_rows(g.data(), xv->data(), gv ? gv->data() : nullptr, *stats, gx.requires_grad() ? dx.data() : nullptr,
                  gg.requires_grad() ? dgamma.data() : nullptr, gb.requires_grad() ? dbeta.data() : nullptr, rows, n,
                  rms);
    if (gx.requires_grad()) accumulate_grad(gx, std::move(dx));
    if (gg.requires_grad()) accumulate_grad(gg, std::move(dgamma));
    if (gb.requires_grad()) accumulate_grad(gb, std::move(dbeta));
  });
}

}  // namespace kiln
