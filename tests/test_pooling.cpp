// Pooling, zero padding and upsampling ops (ops/pooling.hpp, zero_pad.hpp,
// upsample.hpp): values and gradients against TensorFlow.js
// (tests/golden/tfjs/pooling.safetensors) and PyTorch for bilinear
// upsampling, finite differences, and shape errors.

#include <functional>

#include "golden.hpp"
#include "graph/backward.hpp"
#include "ops/arithmetic.hpp"
#include "ops/pooling.hpp"
#include "ops/reductions.hpp"
#include "ops/upsample.hpp"
#include "ops/zero_pad.hpp"
#include "support.hpp"

using namespace kiln;
using kiln::testing::golden;
using kiln::testing::random_param;
using kiln::testing::relative_error;

namespace {

// y = op(x) against <c>/y, and the gradient of sum(y * r) against <c>/dx.
void check_case(const std::string& file, const std::string& c, const std::function<Tensor(const Tensor&)>& op,
                bool check_gradient = true) {
  CAPTURE(c);
  Tensor x = Tensor::parameter(golden(file, c + "/x"));
  const Tensor y = op(x);
  CHECK(relative_error(y.value(), golden(file, c + "/y")) < 1e-5);
  if (!check_gradient) return;
  backward(sum(y * Tensor(golden(file, c + "/r"))));
  CHECK(relative_error(x.grad(), golden(file, c + "/dx")) < 1e-5);
}

const std::string tfjs = "tfjs/pooling.safetensors";

}  // namespace

TEST_CASE("1-D max and average pooling match TensorFlow.js (same averages over the cells inside)") {
  check_case(tfjs, "max1d_valid", [](const Tensor& x) { return max_pool1d(x); });
  check_case(tfjs, "max1d_same_stride1", [](const Tensor& x) {
    return max_pool1d(x, {.pool_size = 3, .strides = 1, .padding = Padding::same});
  });
  check_case(tfjs, "avg1d_valid_stride1", [](const Tensor& x) {
    return average_pool1d(x, {.pool_size = 3, .strides = 1});
  });
  // TF.js 4.22's gradient of a same-padded average divides by the whole
  // window, though its forward does not: values from TF.js, the gradient
  // from TensorFlow's formula in PyTorch.
  const auto same1d = [](const Tensor& x) {
    return average_pool1d(x, {.pool_size = 3, .strides = 2, .padding = Padding::same});
  };
  check_case(tfjs, "avg1d_same", same1d, false);
  check_case("torch/conv.safetensors", "avg1d_same", same1d);
}

TEST_CASE("2-D max and average pooling match TensorFlow.js") {
  check_case(tfjs, "max2d_valid", [](const Tensor& x) { return max_pool2d(x); });
  check_case(tfjs, "max2d_same", [](const Tensor& x) {
    return max_pool2d(x, {.pool_size = {3, 2}, .strides = {2, 2}, .padding = Padding::same});
  });
  check_case(tfjs, "avg2d_valid", [](const Tensor& x) {
    return average_pool2d(x, {.pool_size = {2, 3}, .strides = {1, 2}});
  });
  const auto same2d = [](const Tensor& x) {
    return average_pool2d(x, {.pool_size = {3, 3}, .strides = {2, 2}, .padding = Padding::same});
  };
  check_case(tfjs, "avg2d_same", same2d, false);  // the gradient as above
  check_case("torch/conv.safetensors", "avg2d_same", same2d);
}

TEST_CASE("pooling gradients match finite differences") {
  Tensor x1 = random_param({2, 7, 3}, 21, "x");
  Tensor x2 = random_param({2, 5, 6, 2}, 22, "x");
  for (Padding padding : {Padding::valid, Padding::same}) {
    CAPTURE(to_string(padding));
    CHECK_GRADIENTS([&] { return max_pool1d(x1, {.pool_size = 3, .strides = 2, .padding = padding}); }, {x1});
    CHECK_GRADIENTS([&] { return average_pool1d(x1, {.pool_size = 3, .strides = 2, .padding = padding}); }, {x1});
    CHECK_GRADIENTS([&] { return max_pool2d(x2, {.pool_size = {2, 3}, .strides = {2, 2}, .padding = padding}); },
                    {x2});
    CHECK_GRADIENTS([&] { return average_pool2d(x2, {.pool_size = {3, 2}, .strides = {1, 2}, .padding = padding}); },
                    {x2});
  }
}

TEST_CASE("a max tie sends the gradient to the first cell only") {
  Array values = Array::from_shape({1, 4, 1});
  std::copy_n(std::begin({1.0f, 1.0f, 0.0f, 2.0f}), 4, values.begin());
  Tensor x = Tensor::parameter(values);
  backward(sum(max_pool1d(x)));
  const std::vector<float> expected = {1.0f, 0.0f, 0.0f, 1.0f};
  CHECK(std::vector<float>(x.grad().begin(), x.grad().end()) == expected);
}

TEST_CASE("zero_pad2d and nearest upsampling match TensorFlow.js") {
  check_case(tfjs, "zero_padding2d", [](const Tensor& x) { return zero_pad2d(x, {{{1, 2}, {0, 1}}}); });
  // TF.js 4.22's gradient of its nearest resize is wrong past the first
  // batch entry: values from TF.js, the gradient from PyTorch below.
  check_case(tfjs, "up_sampling2d", [](const Tensor& x) { return upsample_nearest2d(x, {2, 3}); }, false);
  check_case("torch/conv.safetensors", "nearest_2x3", [](const Tensor& x) { return upsample_nearest2d(x, {2, 3}); });
  Tensor x = random_param({2, 3, 2, 2}, 23, "x");
  CHECK_GRADIENTS([&] { return zero_pad2d(x, {{{2, 0}, {1, 1}}}); }, {x});
  CHECK_GRADIENTS([&] { return upsample_nearest2d(x, {3, 2}); }, {x});
}

TEST_CASE("bilinear upsampling matches Keras 3's resize (half-pixel centres) in PyTorch") {
  const std::string f = "torch/conv.safetensors";
  check_case(f, "bilinear_2x2", [](const Tensor& x) { return upsample_bilinear2d(x, {2, 2}); });
  check_case(f, "bilinear_3x2", [](const Tensor& x) { return upsample_bilinear2d(x, {3, 2}); });
  Tensor x = random_param({1, 3, 4, 2}, 24, "x");
  CHECK_GRADIENTS([&] { return upsample_bilinear2d(x, {2, 3}); }, {x});
}

TEST_CASE("pooling ops refuse windows that do not fit and bad ranks, naming the shape") {
  const Tensor x(Array::from_shape({1, 3, 2}));
  CHECK_THROWS_WITH_AS(max_pool1d(x, {.pool_size = 4, .strides = 1}),
                       "max_pool1d: the window (span 1 x 4) does not fit the input (1, 3, 2)", ShapeError);
  CHECK(max_pool1d(x, {.pool_size = 4, .strides = 1, .padding = Padding::same}).shape() == Shape{1, 3, 2});
  CHECK_THROWS_WITH_AS(max_pool2d(x), "max_pool2d: expected an input (batch, height, width, channels), got (1, 3, 2)",
                       ShapeError);
  CHECK_THROWS_AS(average_pool1d(x, {.pool_size = 0}), Error);
  CHECK_THROWS_AS(zero_pad2d(x, {}), ShapeError);
  CHECK_THROWS_AS(upsample_nearest2d(Tensor(Array::from_shape({1, 2, 2, 1})), {0, 1}), Error);
}
