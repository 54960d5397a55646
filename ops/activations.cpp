#include "ops/activations.hpp"

#include <cmath>

#include <xtensor/xmath.hpp>

#include "graph/backward.hpp"
#include "ops/elementwise.hpp"

namespace kiln {

namespace {

// An activation whose derivative reads its input: y = f(x), dx = g * df(x).
template <class F, class DF>
Tensor pointwise(const Tensor& x, F f, DF df) {
  return record(elementwise::map(x.value(), f), {x}, [gx = x.grad_ref(), xv = x.shared_value(), df](const Array& g) {
    accumulate_grad(gx, elementwise::map(g, *xv, [&](float g, float x) { return g * df(x); }));
  });
}

float logistic(float x) { return 1.0f / (1.0f + std::exp(-x)); }
float stable_softplus(float x) { return std::fmax(x, 0.0f) + std::log1p(std::exp(-std::fabs(x))); }
float relu6_of(float x) { return std::fmin(std::fmax(x, 0.0f), 6.0f); }

constexpr float selu_alpha = 1.6732632423543772f;
constexpr float selu_scale = 1.0507009873554805f;
constexpr float sqrt_half = 0.70710678118654752f;         // 1 / sqrt(2)
constexpr float inv_sqrt_2pi = 0.39894228040143268f;      // 1 / sqrt(2 pi)
constexpr float sqrt_2_over_pi = 0.79788456080286536f;    // sqrt(2 / pi)
constexpr float gelu_cubic = 0.044715f;

}  // namespace

// d tanh(x) = g * (1 - y^2)
Tensor tanh(const Tensor& x) {
  return record(Array(xt::tanh(x.value())), {x}, [gx = x.grad_ref()](const Array& g, const Array& y) {
    accumulate_grad(gx, Array(g * (1.0f - y * y)));
  });
}

// d sigmoid(x) = g * y * (1 - y)
Tensor sigmoid(const Tensor& x) {
  Array y = 1.0f / (1.0f + xt::exp(-x.value()));
  return record(std::move(y), {x}, [gx = x.grad_ref()](const Array& g, const Array& y) {
    accumulate_grad(gx, Array(g * y * (1.0f - y)));
  });
}

// d relu(x) = g * [x > 0]
Tensor relu(const Tensor& x) {
  Array y = xt::maximum(x.value(), 0.0f);
  return record(std::move(y), {x}, [gx = x.grad_ref()](const Array& g, const Array& y) {
    accumulate_grad(gx, Array(xt::where(y > 0.0f, g, 0.0f)));
  });
}

// d exp(x) = g * y
Tensor exp(const Tensor& x) {
  return record(Array(xt::exp(x.value())), {x},
                [gx = x.grad_ref()](const Array& g, const Array& y) { accumulate_grad(gx, Array(g * y)); });
}

// d log(x) = g / x
Tensor log(const Tensor& x) {
  return record(Array(xt::log(x.value())), {x}, [gx = x.grad_ref(), xv = x.shared_value()](const Array& g) {
    accumulate_grad(gx, Array(g / *xv));
  });
}

// d elu(x) = g for x > 0, g alpha exp(x) otherwise
Tensor elu(const Tensor& x, float alpha) {
  return pointwise(
      x, [alpha](float v) { return v > 0.0f ? v : alpha * std::expm1(v); },
      [alpha](float v) { return v > 0.0f ? 1.0f : alpha * std::exp(v); });
}

// d selu(x) = g scale for x > 0, g scale alpha exp(x) otherwise
Tensor selu(const Tensor& x) {
  return pointwise(
      x, [](float v) { return selu_scale * (v > 0.0f ? v : selu_alpha * std::expm1(v)); },
      [](float v) { return selu_scale * (v > 0.0f ? 1.0f : selu_alpha * std::exp(v)); });
}

// d softplus(x) = g sigmoid(x)
Tensor softplus(const Tensor& x) { return pointwise(x, stable_softplus, logistic); }

// d softsign(x) = g / (1 + |x|)^2
Tensor softsign(const Tensor& x) {
  return pointwise(
      x, [](float v) { return v / (1.0f + std::fabs(v)); },
      [](float v) {
        const float d = 1.0f + std::fabs(v);
        return 1.0f / (d * d);
      });
}

// d silu(x) = g s (1 + x (1 - s)), s = sigmoid(x)
Tensor silu(const Tensor& x) {
  return pointwise(
      x, [](float v) { return v * logistic(v); },
      [](float v) {
        const float s = logistic(v);
        return s * (1.0f + v * (1.0f - s));
      });
}

// exact:  d gelu(x) = g (Phi(x) + x phi(x)), Phi the normal CDF, phi its density
// tanh:   d gelu(x) = g (0.5 (1 + t) + 0.5 x (1 - t^2) sqrt(2/pi) (1 + 3 c x^2)), t = tanh(u)
Tensor gelu(const Tensor& x, bool approximate) {
  if (!approximate) {
    return pointwise(
        x, [](float v) { return 0.5f * v * (1.0f + std::erf(v * sqrt_half)); },
        [](float v) { return 0.5f * (1.0f + std::erf(v * sqrt_half)) + v * inv_sqrt_2pi * std::exp(-0.5f * v * v); });
  }
  return pointwise(
      x, [](float v) { return 0.5f * v * (1.0f + std::tanh(sqrt_2_over_pi * (v + gelu_cubic * v * v * v))); },
      [](float v) {
        const float t = std::tanh(sqrt_2_over_pi * (v + gelu_cubic * v * v * v));
        return 0.5f * (1.0f + t) + 0.5f * v * (1.0f - t * t) * sqrt_2_over_pi * (1.0f + 3.0f * gelu_cubic * v * v);
      });
}

// d relu6(x) = g [0 < x < 6]
Tensor relu6(const Tensor& x) {
  return pointwise(x, relu6_of, [](float v) { return v > 0.0f && v < 6.0f ? 1.0f : 0.0f; });
}

// d hard_sigmoid(x) = g / 6 for -3 < x < 3, 0 elsewhere
Tensor hard_sigmoid(const Tensor& x) {
  return pointwise(
      x, [](float v) { return relu6_of(v + 3.0f) / 6.0f; },
      [](float v) { return v > -3.0f && v < 3.0f ? 1.0f / 6.0f : 0.0f; });
}

// d hard_silu(x) = g (hard_sigmoid(x) + x [-3 < x < 3] / 6)
Tensor hard_silu(const Tensor& x) {
  return pointwise(
      x, [](float v) { return v * relu6_of(v + 3.0f) / 6.0f; },
      [](float v) { return relu6_of(v + 3.0f) / 6.0f + (v > -3.0f && v < 3.0f ? v / 6.0f : 0.0f); });
}

// d leaky_relu(x) = g for x > 0, g negative_slope otherwise
Tensor leaky_relu(const Tensor& x, float negative_slope) {
  return pointwise(
      x, [negative_slope](float v) { return v > 0.0f ? v : negative_slope * v; },
      [negative_slope](float v) { return v > 0.0f ? 1.0f : negative_slope; });
}

// d mish(x) = g (t + x (1 - t^2) sigmoid(x)), t = tanh(softplus(x))
Tensor mish(const Tensor& x) {
  return pointwise(
      x, [](float v) { return v * std::tanh(stable_softplus(v)); },
      [](float v) {
        const float t = std::tanh(stable_softplus(v));
        return t + v * (1.0f - t * t) * logistic(v);
      });
}

// d erf(x) = g 2 / sqrt(pi) exp(-x^2)
Tensor erf(const Tensor& x) {
  constexpr float two_over_sqrt_pi = 1.12837916709551257f;
  return pointwise(
      x, [](float v) { return std::erf(v); }, [](float v) { return two_over_sqrt_pi * std::exp(-v * v); });
}

}  // namespace kiln
