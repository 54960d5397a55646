// argmax and argmin: against TF.js with ties (the first position wins),
// keepdims, the flattened form, and errors.

#include "graph/error.hpp"
#include "ops/arg_reduce.hpp"
#include "support.hpp"
#include "tfjs_reference.hpp"

using namespace kiln;
using kiln::testing::check_against_tfjs;

TEST_CASE("argmax and argmin match TF.js, ties to the first position") {
  const std::string file = "tfjs/ops.safetensors";
  check_against_tfjs({file, "argmax_axis1", 1}, [](auto& x) { return argmax(x[0], 1); });
  check_against_tfjs({file, "argmin_axis2", 1}, [](auto& x) { return argmin(x[0], -1); });
  check_against_tfjs({file, "argmax_axis0", 1}, [](auto& x) { return argmax(x[0], 0); });
}

TEST_CASE("argmax keeps the axis with keepdims, flattens without an axis, carries no gradient") {
  Tensor x = Tensor::parameter(Array{{1.0f, 7.0f, 7.0f}, {9.0f, -1.0f, 9.0f}});
  CHECK(argmax(x, 1, true).value() == kiln::testing::column({1.0f, 0.0f}));
  CHECK(argmin(x, 0).value() == Array{0.0f, 1.0f, 0.0f});
  CHECK(argmax(x).value()() == 3.0f);  // row-major index of the first 9
  CHECK(argmin(x).value()() == 4.0f);
  CHECK_FALSE(argmax(x, 1).requires_grad());
}

TEST_CASE("argmax and argmin reject an empty axis and an axis out of range") {
  CHECK_THROWS_WITH_AS(argmax(Tensor(Array::from_shape({2, 0})), 1), doctest::Contains("is empty"), ShapeError);
  CHECK_THROWS_WITH_AS(argmin(Tensor(Array::from_shape({2, 3})), 2),
                       "argmin: axis 2 is out of range for shape (2, 3)", ShapeError);
  CHECK_THROWS_AS(argmax(Tensor(Array::from_shape({0}))), ShapeError);
}
