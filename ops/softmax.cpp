#include "ops/softmax.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include "graph/backward.hpp"
#include "ops/axis.hpp"
#include "ops/row_math.hpp"

namespace kiln {

namespace {

// Along the last axis each row of n floats is contiguous: the common case
// (class scores, attention weights), run through the vectorised row kernels.
void forward_rows(const float* x, float* y, std::size_t rows, std::size_t n, bool log_space) {
  for (std::size_t r = 0; r < rows; ++r) {
    const float* xr = x + r * n;
    float* yr = y + r * n;
    const float m = row::max(xr, n);
    const float total = row::exp_shifted(xr, m, yr, n);
    if (log_space) {
      // (x - m) first: exact for nearby values, where x - (m + log total)
      // would round log total to the spacing of floats near m.
      const float log_total = std::log(total);
      for (std::size_t j = 0; j < n; ++j) yr[j] = (xr[j] - m) - log_total;
    } else {
      const float inv = 1.0f / total;
      for (std::size_t j = 0; j < n; ++j) yr[j] *= inv;
    }
  }
}

// Along any other axis the n entries of one lane are `inner` floats apart;
// all inner lanes of an outer block advance together so memory is read in
// order.
void forward_strided(const float* x, float* y, AxisSplit s, bool log_space) {
  std::vector<float> m(s.inner), total(s.inner);
  for (std::size_t o = 0; o < s.outer; ++o) {
    const float* xo = x + o * s.n * s.inner;
    float* yo = y + o * s.n * s.inner;
    std::copy(xo, xo + s.inner, m.begin());
    for (std::size_t j = 1; j < s.n; ++j) {
      for (std::size_t k = 0; k < s.inner; ++k) m[k] = std::max(m[k], xo[j * s.inner + k]);
    }
    std::fill(total.begin(), total.end(), 0.0f);
    for (std::size_t j = 0; j < s.n; ++j) {
      for (std::size_t k = 0; k < s.inner; ++k) {
        const float e = std::exp(xo[j * s.inner + k] - m[k]);
        yo[j * s.inner + k] = e;
        total[k] += e;
      }
    }
    if (log_space) {
      for (std::size_t k = 0; k < s.inner; ++k) total[k] = std::log(total[k]);
      for (std::size_t j = 0; j < s.n; ++j) {
        for (std::size_t k = 0; k < s.inner; ++k) {
          yo[j * s.inner + k] = (xo[j * s.inner + k] - m[k]) - total[k];
        }
      }
    } else {
      for (std::size_t k = 0; k < s.inner; ++k) total[k] = 1.0f / total[k];
      for (std::size_t j = 0; j < s.n; ++j) {
        for (std::size_t k = 0; k < s.inner; ++k) yo[j * s.inner + k] *= total[k];
      }
    }
  }
}

// softmax:     dx = y * (g - sum(g * y))
// log_softmax: dx = g - exp(y) * sum(g)
void backward_rows(const float* g, const float* y, float* dx, std::size_t rows, std::size_t n,
                   bool log_space) {
  for (std::size_t r = 0; r < rows; ++r) {
    const float* gr = g + r * n;
    const float* yr = y + r * n;
    float* dr = dx + r * n;
    if (log_space) {
      const float acc = row::sum(gr, n);
      row::exp_shifted(yr, 0.0f, dr, n);  // dr = softmax = exp(y)
      for (std::size_t j = 0; j < n; ++j) dr[j] = gr[j] - dr[j] * acc;
    } else {
      const float acc = row::dot(gr, yr, n);
      for (std::size_t j = 0; j < n; ++j) dr[j] = yr[j] * (gr[j] - acc);
    }
  }
}

void backward_strided(const float* g, const float* y, float* dx, AxisSplit s, bool log_space) {
  std::vector<float> acc(s.inner);
  for (std::size_t o = 0; o < s.outer; ++o) {
    const std::size_t base = o * s.n * s.inner;
    const float* go = g + base;
    const float* yo = y + base;
    float* d = dx + base;
    std::fill(acc.begin(), acc.end(), 0.0f);
    for (std::size_t j = 0; j < s.n; ++j) {
      for (std::size_t k = 0; k < s.inner; ++k) {
        const std::size_t i = j * s.inner + k;
        acc[k] += log_space ? go[i] : go[i] * yo[i];
      }
    }
    for (std::size_t j = 0; j < s.n; ++j) {
      for (std::size_t k = 0; k < s.inner; ++k) {
        const std::size_t i = j * s.inner + k;
        d[i] = log_space ? go[i] - std::exp(yo[i]) * acc[k] : yo[i] * (go[i] - acc[k]);
      }
    }
  }
}

Tensor softmax_along(const char* op, const Tensor& x, int axis, bool log_space) {
  const AxisSplit s = split_at_axis(x.shape(), normalize_axis(op, axis, x.shape()));
  Array y = Array::from_shape(x.shape());
  if (y.size() > 0) {
    if (s.inner == 1)
      forward_rows(x.value().data(), y.data(), s.outer, s.n, log_space);
    else
      forward_strided(x.value().data(), y.data(), s, log_space);
  }
  return record(std::move(y), {x}, [gx = x.grad_ref(), s, log_space](const Array& g, const Array& y) {
    Array dx = Array::from_shape(y.shape());
    if (dx.size() > 0) {
      if (s.inner == 1)
        backward_rows(g.data(), y.data(), dx.data(), s.outer, s.n, log_space);
      else
        backward_strided(g.data(), y.data(), dx.data(), s, log_space);
    }
    accumulate_grad(gx, std::move(dx));
  });
}

}  // namespace

// d softmax = y * (g - sum(g * y, axis))
Tensor softmax(const Tensor& x, int axis) { return softmax_along("softmax", x, axis, false); }

// d log_softmax = g - softmax(x) * sum(g, axis)
Tensor log_softmax(const Tensor& x, int axis) {
  return softmax_along("log_softmax", x, axis, true);
}

}  // namespace kiln
