// clip: values, the gradient mask (including the choice at the bounds),
// finite differences away from the bounds, and inverted bounds.

#include <cmath>

#include "graph/backward.hpp"
#include "graph/error.hpp"
#include "ops/clip.hpp"
#include "support.hpp"

using namespace kiln;

TEST_CASE("clip limits values to [lo, hi]") {
  Tensor x(Array{-2.0f, -1.0f, 0.0f, 0.5f, 1.0f, 3.0f});
  CHECK(clip(x, -1.0f, 1.0f).value() == Array{-1.0f, -1.0f, 0.0f, 0.5f, 1.0f, 1.0f});
  CHECK(clip(x, 0.5f, 0.5f).value() == Array{0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f});
}

TEST_CASE("clip passes the gradient strictly inside the bounds, not on them") {
  Tensor x = Tensor::parameter(Array{-2.0f, -1.0f, 0.0f, 0.5f, 1.0f, 3.0f}, "x");
  backward(clip(x, -1.0f, 1.0f), Array{1.0f, 2.0f, 3.0f, 4.0f, 5.0f, 6.0f});
  CHECK(x.grad() == Array{0.0f, 0.0f, 3.0f, 4.0f, 0.0f, 0.0f});
}

TEST_CASE("clip gradient matches finite differences away from the bounds") {
  // Values -1.955, -1.785, ... step 0.17 over (2, 3, 4): none within 0.05
  // of +-0.5, so a 1e-3 finite-difference step never crosses a bound.
  Array v = Array::from_shape({2, 3, 4});
  for (std::size_t i = 0; i < v.size(); ++i) v.data()[i] = -1.955f + 0.17f * float(i);
  for (float e : v) REQUIRE(std::abs(std::abs(e) - 0.5f) > 0.05f);
  Tensor x = Tensor::parameter(v, "x");
  CHECK_GRADIENTS([&] { return clip(x, -0.5f, 0.5f); }, {x});
}

TEST_CASE("clip with lo above hi names both bounds") {
  Tensor x(Array{0.0f});
  CHECK_THROWS_WITH_AS(clip(x, 1.0f, -1.0f), "clip: lower bound 1 is above upper bound -1", Error);
  CHECK_THROWS_AS(clip(x, NAN, 1.0f), Error);
}
