#include "ops/activations.hpp"

#include <xtensor/xmath.hpp>

#include "graph/backward.hpp"

namespace kiln {

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

}  // namespace kiln
