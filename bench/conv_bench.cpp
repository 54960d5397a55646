// kiln-bench conv: one Conv1D and one Conv2D training step's convolution
// (forward, then backward to the input, kernel and bias), at the shapes
// bench/pytorch_conv.py runs in PyTorch; bench/compare_conv.sh runs both in
// one invocation and prints the ratios.
//   conv_case=<name> ms_fwd_bwd=<median> p10=<...> p90=<...> gflops=<...>

#include <cstdio>
#include <string>

#include "bench/timing.hpp"
#include "graph/backward.hpp"
#include "ops/arithmetic.hpp"
#include "ops/conv.hpp"

namespace kiln::bench {

namespace {

struct ConvCase {
  const char* name;
  Shape input;   // channels last
  Shape kernel;  // (taps..., in, out)
};

// The shapes of the PyTorch script's cases (there in channels-first layout).
const ConvCase cases[] = {
    {"conv1d_b32_t128_c64_k5_f64_same", {32, 128, 64}, {5, 64, 64}},
    {"conv2d_b32_28x28_c16_k3_f32_same", {32, 28, 28, 16}, {3, 3, 16, 32}},
};

Array filled(const Shape& shape, float value) {
  Array a = Array::from_shape(shape);
  std::size_t i = 0;
  for (auto& v : a) v = value * float(int(i++ % 7) - 3);
  return a;
}

void run_case(const ConvCase& c) {
  Tensor x = Tensor::parameter(filled(c.input, 0.01f));
  Tensor kernel = Tensor::parameter(filled(c.kernel, 0.02f));
  Tensor bias = Tensor::parameter(filled({c.kernel.back()}, 0.1f));
  const bool two_d = c.input.size() == 4;
  auto forward = [&] {
    return (two_d ? conv2d(x, kernel, {.padding = Padding::same}) : conv1d(x, kernel, {.padding = Padding::same})) +
           bias;
  };
  const Array seed = filled(forward().shape(), 0.001f);
  const Stats s = time_it(
      [&] {
        backward(forward(), seed);
        x.zero_grad();
        kernel.zero_grad();
        bias.zero_grad();
      },
      30);
  // Forward and the two backward products: 3 GEMMs of 2 * cells * taps * filters flops.
  double cells = 1.0;
  for (std::size_t a = 0; a + 1 < c.input.size(); ++a) cells *= double(c.input[a]);
  double taps = 1.0;
  for (std::size_t a = 0; a + 1 < c.kernel.size(); ++a) taps *= double(c.kernel[a]);
  const double flops = 3.0 * 2.0 * cells * taps * double(c.kernel.back());
  std::printf("conv_case=%s ms_fwd_bwd=%.3f p10=%.3f p90=%.3f gflops=%.1f\n", c.name, s.median * 1e3, s.p10 * 1e3,
              s.p90 * 1e3, flops / s.median * 1e-9);
}

}  // namespace

int run_conv() {
  for (const ConvCase& c : cases) run_case(c);
  return 0;
}

}  // namespace kiln::bench
