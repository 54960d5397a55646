// abs and sign: values and abs' gradient against TF.js, finite differences.

#include <cmath>
#include <limits>

#include "graph/backward.hpp"
#include "ops/reductions.hpp"
#include "ops/sign.hpp"
#include "support.hpp"
#include "tfjs_reference.hpp"

using namespace kiln;
using kiln::testing::check_against_tfjs;

TEST_CASE("abs and sign match TF.js") {
  check_against_tfjs({"tfjs/ops.safetensors", "abs", 1, {0}}, [](auto& x) { return kiln::abs(x[0]); });
  check_against_tfjs({"tfjs/ops.safetensors", "sign", 1}, [](auto& x) { return sign(x[0]); });
}

TEST_CASE("abs' gradient matches finite differences and is 0 at 0, as TensorFlow's") {
  Tensor x = kiln::testing::random_param({3, 4}, 5, "x", 0.2f, 2.0f);
  CHECK_GRADIENTS([&] { return kiln::abs(x) + kiln::abs(x * -1.0f - 0.1f); }, {x});
  Tensor at_zero = Tensor::parameter(Array{0.0f, -2.0f, 3.0f});
  backward(sum(kiln::abs(at_zero)));
  CHECK(at_zero.grad() == Array{0.0f, -1.0f, 1.0f});
}

TEST_CASE("sign keeps zeros and NaN and carries no gradient") {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  Tensor x = Tensor::parameter(Array{-2.5f, 0.0f, 4.0f, nan});
  const Tensor s = sign(x);
  CHECK_FALSE(s.requires_grad());
  CHECK(s.value()(0) == -1.0f);
  CHECK(s.value()(1) == 0.0f);
  CHECK(s.value()(2) == 1.0f);
  CHECK(std::isnan(s.value()(3)));
}
