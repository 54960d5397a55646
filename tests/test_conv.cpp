// conv1d / conv2d (ops/conv.hpp): values and gradients against TensorFlow.js
// (tests/golden/tfjs/conv.safetensors) and PyTorch for causal padding
// (tests/golden/torch/conv.safetensors), finite-difference gradients, the
// window geometry of Keras' padding modes, and shape errors.

#include <functional>

#include <xtensor/xview.hpp>

#include "golden.hpp"
#include "graph/backward.hpp"
#include "ops/arithmetic.hpp"
#include "ops/conv.hpp"
#include "ops/reductions.hpp"
#include "support.hpp"

using namespace kiln;
using kiln::testing::golden;
using kiln::testing::random_param;
using kiln::testing::relative_error;

namespace {

// A reference case without activation: y = conv(x, kernel) (+ bias), and the
// gradients of sum(y * r).
void check_linear_case(const std::string& file, const std::string& c, bool bias,
                       const std::function<Tensor(const Tensor&, const Tensor&)>& conv) {
  CAPTURE(c);
  Tensor x = Tensor::parameter(golden(file, c + "/x"));
  Tensor kernel = Tensor::parameter(golden(file, c + "/weight_0"));
  Tensor y = conv(x, kernel);
  Tensor b;
  if (bias) {
    b = Tensor::parameter(golden(file, c + "/weight_1"));
    y = y + b;
  }
  CHECK(relative_error(y.value(), golden(file, c + "/y")) < 1e-5);
  backward(sum(y * Tensor(golden(file, c + "/r"))));
  CHECK(relative_error(x.grad(), golden(file, c + "/dx")) < 1e-5);
  CHECK(relative_error(kernel.grad(), golden(file, c + "/dweight_0")) < 1e-5);
  if (bias) CHECK(relative_error(b.grad(), golden(file, c + "/dweight_1")) < 1e-5);
}

}  // namespace

TEST_CASE("window_axis pads as TensorFlow's SAME and Keras' causal") {
  // n = 7, k = 3, stride 2: out 4, total (4 - 1) * 2 + 3 - 7 = 2, one each side.
  WindowAxis a = window_axis(7, 3, 2, 1, Padding::same);
  CHECK(a.pad_before == 1);
  CHECK(a.pad_after == 1);
  CHECK(a.output_size(7) == 4);
  // n = 8, k = 4, stride 2: total 2 -> 1 and 1; k = 4 stride 1: total 3 -> 1 before, 2 after.
  a = window_axis(8, 4, 1, 1, Padding::same);
  CHECK(a.pad_before == 1);
  CHECK(a.pad_after == 2);
  CHECK(a.output_size(8) == 8);
  // Causal: dilation * (k - 1) before, nothing after.
  a = window_axis(9, 2, 1, 3, Padding::causal);
  CHECK(a.pad_before == 3);
  CHECK(a.pad_after == 0);
  CHECK(a.output_size(9) == 9);
  CHECK(padded_output_size(10, 2, 3, 1, Padding::valid) == 3);
  CHECK(padded_output_size(2, 3, 1, 1, Padding::valid) == 0);
  CHECK(parse_padding("SAME", false, "Conv2D") == Padding::same);
  CHECK_THROWS_WITH_AS(parse_padding("causal", false, "Conv2D"),
                       "Conv2D: padding must be 'valid' or 'same', got 'causal'", Error);
}

TEST_CASE("conv1d matches TensorFlow.js: valid, same with strides, dilated, values and gradients") {
  const std::string f = "tfjs/conv.safetensors";
  check_linear_case(f, "conv1d_valid", true, [](const Tensor& x, const Tensor& k) { return conv1d(x, k); });
  // Dilated: TF.js has no gradient for it, so the values only.
  const Tensor x(golden(f, "conv1d_same_dilated/x"));
  const Tensor y = conv1d(x, Tensor(golden(f, "conv1d_same_dilated/weight_0")),
                          {.dilation_rate = 2, .padding = Padding::same});
  CHECK(relative_error(y.value(), golden(f, "conv1d_same_dilated/y")) < 1e-5);
}

TEST_CASE("conv1d with causal padding matches Keras 3's formula in PyTorch") {
  const std::string f = "torch/conv.safetensors";
  check_linear_case(f, "causal_k3", true, [](const Tensor& x, const Tensor& k) {
    return conv1d(x, k, {.padding = Padding::causal});
  });
}

TEST_CASE("conv2d matches TensorFlow.js: valid, 1x1, dilated") {
  const std::string f = "tfjs/conv.safetensors";
  check_linear_case(f, "conv2d_valid", true, [](const Tensor& x, const Tensor& k) { return conv2d(x, k); });
  check_linear_case(f, "conv2d_valid_1x1", true, [](const Tensor& x, const Tensor& k) { return conv2d(x, k); });
  const Tensor y = conv2d(Tensor(golden(f, "conv2d_same_dilated/x")), Tensor(golden(f, "conv2d_same_dilated/weight_0")),
                          {.dilation_rate = {2, 1}, .padding = Padding::same});
  CHECK(relative_error(y.value(), golden(f, "conv2d_same_dilated/y")) < 1e-5);
}

TEST_CASE("conv1d and conv2d gradients match finite differences") {
  Tensor x1 = random_param({2, 9, 3}, 1, "x");
  Tensor k1 = random_param({3, 3, 2}, 2, "kernel");
  for (Padding padding : {Padding::valid, Padding::same, Padding::causal}) {
    CAPTURE(to_string(padding));
    CHECK_GRADIENTS([&] { return conv1d(x1, k1, {.strides = 2, .padding = padding}); }, {x1, k1});
    CHECK_GRADIENTS([&] { return conv1d(x1, k1, {.dilation_rate = 3, .padding = padding}); }, {x1, k1});
  }
  Tensor x2 = random_param({2, 5, 6, 2}, 3, "x");
  Tensor k2 = random_param({3, 2, 2, 3}, 4, "kernel");
  CHECK_GRADIENTS([&] { return conv2d(x2, k2, {.strides = {2, 1}, .padding = Padding::same}); }, {x2, k2});
  CHECK_GRADIENTS([&] { return conv2d(x2, k2, {.dilation_rate = {1, 2}}); }, {x2, k2});
  Tensor k_pointwise = random_param({1, 1, 2, 3}, 5, "kernel");
  CHECK_GRADIENTS([&] { return conv2d(x2, k_pointwise); }, {x2, k_pointwise});
}

TEST_CASE("grouped convolutions: each group of filters sees its group of channels") {
  // Two groups of a 1x1 kernel equal two separate convolutions side by side.
  Tensor x = random_param({2, 3, 3, 4}, 9, "x");
  Tensor k = random_param({1, 1, 2, 6}, 10, "kernel");  // in / groups = 2, 3 filters per group
  const Array y = conv2d(x, k, {.groups = 2}).value();
  const Array y_first = conv2d(Tensor(Array(xt::view(x.value(), xt::all(), xt::all(), xt::all(), xt::range(0, 2)))),
                               Tensor(Array(xt::view(k.value(), xt::all(), xt::all(), xt::all(), xt::range(0, 3)))))
                            .value();
  CHECK_ARRAY_NEAR(Array(xt::view(y, xt::all(), xt::all(), xt::all(), xt::range(0, 3))), y_first, 1e-6);
  Tensor x1 = random_param({2, 7, 6}, 11, "x");
  Tensor k1 = random_param({3, 2, 6}, 12, "kernel");  // three groups
  for (Padding padding : {Padding::valid, Padding::same}) {
    CHECK_GRADIENTS([&] { return conv1d(x1, k1, {.padding = padding, .groups = 3}); }, {x1, k1});
  }
  Tensor k2 = random_param({2, 2, 2, 4}, 13, "kernel");
  CHECK_GRADIENTS([&] { return conv2d(x, k2, {.strides = {1, 2}, .padding = Padding::same, .groups = 2}); }, {x, k2});
  CHECK_GRADIENTS([&] { return conv2d(x, k, {.groups = 2}); }, {x, k});
  CHECK_THROWS_WITH_AS(conv1d(x1, k1, {.groups = 4}),
                       "conv1d: with 4 groups, the input's channels and the filters must be multiples of it: (2, 7, 6) "
                       "and (3, 2, 6)",
                       ShapeError);
  CHECK_THROWS_WITH_AS(conv1d(x1, k1, {.groups = 2}),
                       "conv1d: the kernel's second-last axis must be the input's channels / groups: (2, 7, 6) and "
                       "(3, 2, 6)",
                       ShapeError);
}

TEST_CASE("conv gradients add to gradients already there") {
  Tensor x = random_param({1, 4, 4, 2}, 6, "x");
  Tensor k = random_param({2, 2, 2, 1}, 7, "kernel");
  // x and k used twice: both paths' gradients must be summed.
  CHECK_GRADIENTS([&] { return conv2d(x, k) + conv2d(x * 2.0f, k); }, {x, k});
  Tensor k1 = random_param({1, 1, 2, 2}, 8, "kernel");
  CHECK_GRADIENTS([&] { return conv2d(x, k1) + x; }, {x, k1});
}

TEST_CASE("conv ops name both shapes when they do not fit") {
  const Tensor x(Array::from_shape({1, 3, 2}));
  CHECK_THROWS_WITH_AS(conv1d(x, Tensor(Array::from_shape({2, 3, 4}))),
                       "conv1d: the input's channels (last axis) and the kernel's (second-last) differ: (1, 3, 2) "
                       "and (2, 3, 4)",
                       ShapeError);
  CHECK_THROWS_WITH_AS(conv1d(x, Tensor(Array::from_shape({5, 2, 4}))),
                       "conv1d: the kernel's window does not fit the input: (1, 3, 2) and (5, 2, 4)", ShapeError);
  CHECK(conv1d(x, Tensor(Array::from_shape({5, 2, 4})), {.padding = Padding::same}).shape() == Shape{1, 3, 4});
  CHECK_THROWS_AS(conv2d(x, Tensor(Array::from_shape({1, 1, 2, 4}))), ShapeError);
  CHECK_THROWS_AS(conv1d(x, Tensor(Array::from_shape({1, 2, 4})), {.strides = 0}), Error);
}
