// sqrt, rsqrt, square, pow: values and gradients against TF.js
// (tests/golden/tfjs/ops.safetensors), gradients against finite differences.

#include <cmath>

#include "graph/error.hpp"
#include "ops/powers.hpp"
#include "support.hpp"
#include "tfjs_reference.hpp"

using namespace kiln;
using kiln::testing::check_against_tfjs;
using kiln::testing::random_param;

namespace {
const std::string ops_file = "tfjs/ops.safetensors";
}

TEST_CASE("sqrt, rsqrt, square and pow match TF.js, gradients included") {
  check_against_tfjs({ops_file, "sqrt", 1, {0}}, [](auto& x) { return kiln::sqrt(x[0]); });
  check_against_tfjs({ops_file, "rsqrt", 1, {0}}, [](auto& x) { return rsqrt(x[0]); });
  check_against_tfjs({ops_file, "square", 1, {0}}, [](auto& x) { return square(x[0]); });
  check_against_tfjs({ops_file, "pow_scalar", 1, {0}}, [](auto& x) { return kiln::pow(x[0], 2.5f); });
  check_against_tfjs({ops_file, "pow_cube", 1, {0}}, [](auto& x) { return kiln::pow(x[0], 3.0f); });
  // (2, 3) ^ (3): the exponent broadcasts and its gradient is summed back.
  check_against_tfjs({ops_file, "pow_tensor", 2, {0, 1}}, [](auto& x) { return kiln::pow(x[0], x[1]); });
  // Negative bases with integer exponents: the exponent's gradient is 0 there, as TF's.
  check_against_tfjs({ops_file, "pow_negative_base", 2, {0, 1}}, [](auto& x) { return power(x[0], x[1]); });
}

TEST_CASE("power gradients match finite differences") {
  Tensor pos = random_param({2, 3, 4}, 1, "pos", 0.3f, 2.0f);
  Tensor any = random_param({2, 3, 4}, 2, "any", -2.0f, 2.0f);
  Tensor exponent = random_param({4}, 3, "exponent", -1.5f, 1.5f);
  CHECK_GRADIENTS([&] { return kiln::sqrt(pos); }, {pos});
  CHECK_GRADIENTS([&] { return rsqrt(pos); }, {pos});
  CHECK_GRADIENTS([&] { return square(any); }, {any});
  CHECK_GRADIENTS([&] { return kiln::pow(pos, -1.5f); }, {pos});
  CHECK_GRADIENTS([&] { return kiln::pow(any, 4.0f); }, {any});
  CHECK_GRADIENTS([&] { return kiln::pow(pos, exponent); }, {pos, exponent});
}

TEST_CASE("pow with exponent 0 is 1 with a zero gradient, even at 0") {
  Tensor x = Tensor::parameter(Array{0.0f, 2.0f, -3.0f});
  Tensor y = kiln::pow(x, 0.0f);
  CHECK(y.value() == Array{1.0f, 1.0f, 1.0f});
  backward(sum(y));
  CHECK(x.grad() == Array{0.0f, 0.0f, 0.0f});
}

TEST_CASE("out-of-domain values give NaN as IEEE says") {
  CHECK(std::isnan(kiln::sqrt(Tensor(Array{-1.0f})).value()(0)));
  CHECK(std::isinf(rsqrt(Tensor(Array{0.0f})).value()(0)));
  CHECK(std::isnan(kiln::pow(Tensor(Array{-8.0f}), 1.0f / 3.0f).value()(0)));
}

TEST_CASE("pow names both shapes when they do not broadcast") {
  Tensor a(Array::from_shape({2, 3}));
  Tensor b(Array::from_shape({4}));
  CHECK_THROWS_WITH_AS(kiln::pow(a, b), "pow: cannot broadcast (2, 3) and (4)", ShapeError);
}
