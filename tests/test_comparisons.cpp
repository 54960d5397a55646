// Comparisons: 0/1 results against TF.js with broadcasting and equal
// entries, constants, NaN, and no gradient.

#include <limits>

#include "graph/error.hpp"
#include "ops/comparisons.hpp"
#include "support.hpp"
#include "tfjs_reference.hpp"

using namespace kiln;
using kiln::testing::golden;

TEST_CASE("comparisons match TF.js on (3, 4) against (4) with equal entries") {
  const std::string file = "tfjs/ops.safetensors";
  const Tensor a(golden(file, "compare/a"));
  const Tensor b(golden(file, "compare/b"));
  CHECK(equal(a, b).value() == golden(file, "compare/equal"));
  CHECK(not_equal(a, b).value() == golden(file, "compare/not_equal"));
  CHECK(less(a, b).value() == golden(file, "compare/less"));
  CHECK(less_equal(a, b).value() == golden(file, "compare/less_equal"));
  CHECK(greater(a, b).value() == golden(file, "compare/greater"));
  CHECK(greater_equal(a, b).value() == golden(file, "compare/greater_equal"));
}

TEST_CASE("comparisons against a constant, and with NaN") {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const Tensor x(Array{-1.0f, 0.5f, 2.0f, nan});
  CHECK(greater(x, 0.5f).value() == Array{0.0f, 0.0f, 1.0f, 0.0f});
  CHECK(greater_equal(x, 0.5f).value() == Array{0.0f, 1.0f, 1.0f, 0.0f});
  CHECK(less(x, 0.5f).value() == Array{1.0f, 0.0f, 0.0f, 0.0f});
  CHECK(less_equal(x, 0.5f).value() == Array{1.0f, 1.0f, 0.0f, 0.0f});
  CHECK(equal(x, 0.5f).value() == Array{0.0f, 1.0f, 0.0f, 0.0f});
  CHECK(not_equal(x, 0.5f).value() == Array{1.0f, 0.0f, 1.0f, 1.0f});
  CHECK(equal(x, x).value() == Array{1.0f, 1.0f, 1.0f, 0.0f});
}

TEST_CASE("comparison results carry no gradient") {
  Tensor a = Tensor::parameter(Array{1.0f, 2.0f});
  CHECK_FALSE(less(a, a).requires_grad());
  CHECK_FALSE(greater(a, 1.5f).requires_grad());
}

TEST_CASE("comparisons name both shapes when they do not broadcast") {
  CHECK_THROWS_WITH_AS(less(Tensor(Array::from_shape({2, 3})), Tensor(Array::from_shape({2}))),
                       "less: cannot broadcast (2, 3) and (2)", ShapeError);
}
