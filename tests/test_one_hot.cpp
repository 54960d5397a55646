// one_hot: rows with a single 1 at the index, shapes gaining a class axis,
// and indices that are not class ids.

#include <cmath>

#include "graph/error.hpp"
#include "ops/one_hot.hpp"
#include "support.hpp"

using namespace kiln;

TEST_CASE("one_hot puts a single 1 at each index") {
  const Tensor y = one_hot(Array{2.0f, 0.0f, 1.0f}, 3);
  CHECK(y.value() == Array{{0.0f, 0.0f, 1.0f}, {1.0f, 0.0f, 0.0f}, {0.0f, 1.0f, 0.0f}});
  CHECK_FALSE(y.requires_grad());
}

TEST_CASE("one_hot of (2, 2) indices with depth 4 has shape (2, 2, 4)") {
  const Array y = one_hot(Array{{3.0f, 0.0f}, {1.0f, 1.0f}}, 4).value();
  REQUIRE(y.shape() == Shape{2, 2, 4});
  const std::size_t index[2][2] = {{3, 0}, {1, 1}};
  for (std::size_t a = 0; a < 2; ++a)
    for (std::size_t b = 0; b < 2; ++b)
      for (std::size_t c = 0; c < 4; ++c) CHECK(y(a, b, c) == (c == index[a][b] ? 1.0f : 0.0f));
}

TEST_CASE("one_hot names the index and the depth when an index is not a class id") {
  CHECK_THROWS_WITH_AS(one_hot(Array{0.0f, 3.0f}, 3),
                       "one_hot: index 3 (flat position 1) is out of range for depth 3; "
                       "expected an integer in [0, 3)",
                       Error);
  CHECK_THROWS_WITH_AS(one_hot(Array{-1.0f}, 3),
                       doctest::Contains("index -1 (flat position 0) is negative"), Error);
  CHECK_THROWS_WITH_AS(one_hot(Array{1.5f}, 3),
                       doctest::Contains("index 1.5 (flat position 0) is not an integer"), Error);
  CHECK_THROWS_WITH_AS(one_hot(Array{NAN}, 4), doctest::Contains("depth 4"), Error);
}
