// cumsum: values and gradients against TF.js along an inner and the last
// axis, finite differences, the flattened form.

#include "graph/error.hpp"
#include "ops/cumsum.hpp"
#include "support.hpp"
#include "tfjs_reference.hpp"

using namespace kiln;
using kiln::testing::check_against_tfjs;

TEST_CASE("cumsum matches TF.js, gradients included") {
  check_against_tfjs({"tfjs/ops.safetensors", "cumsum_axis1", 1, {0}}, [](auto& x) { return cumsum(x[0], 1); });
  check_against_tfjs({"tfjs/ops.safetensors", "cumsum_last", 1, {0}}, [](auto& x) { return cumsum(x[0], -1); });
}

TEST_CASE("cumsum gradients match finite differences along every axis") {
  Tensor x = kiln::testing::random_param({2, 3, 4}, 3, "x");
  for (int axis : {0, 1, 2, -1}) {
    CAPTURE(axis);
    CHECK_GRADIENTS([&] { return cumsum(x, axis); }, {x});
  }
  CHECK_GRADIENTS([&] { return cumsum(x); }, {x});
}

TEST_CASE("cumsum without an axis runs over the flattened tensor") {
  const Tensor y = cumsum(Tensor(Array{{1.0f, 2.0f}, {3.0f, 4.0f}}));
  CHECK(y.value() == Array{1.0f, 3.0f, 6.0f, 10.0f});
  CHECK_THROWS_WITH_AS(cumsum(Tensor(Array::from_shape({2})), 1), "cumsum: axis 1 is out of range for shape (2)",
                       ShapeError);
}
