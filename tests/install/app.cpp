// A program outside the source tree, built against an installed kiln with
// g++ -std=c++20 app.cpp $(pkg-config --cflags --libs kiln).
#include <kiln/kiln.hpp>

#include <cmath>
#include <cstdio>

int main() {
  kiln::Tensor w(kiln::Array{{1.0f, 2.0f}, {3.0f, 4.0f}}, true, "w");
  kiln::Tensor x(kiln::Array{{1.0f, 1.0f}});
  kiln::Tensor y = kiln::tanh(kiln::matmul(x, w));
  kiln::backward(y, kiln::Array{{1.0f, 1.0f}});
  // dy/dw[i][j] = x[i] * (1 - tanh(4|6)^2)
  const double expected = 1.0 - std::pow(std::tanh(4.0), 2.0);
  if (std::abs(w.grad()(0, 0) - expected) > 1e-5) {
    std::printf("wrong gradient %f, expected %f\n", double(w.grad()(0, 0)), expected);
    return 1;
  }
  std::printf("installed kiln works\n");
  return 0;
}
