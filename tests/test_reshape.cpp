// reshape, transpose, permute: values against layouts worked out by hand,
// gradients against finite differences, and the errors for bad shapes/axes.

#include "graph/error.hpp"
#include "ops/reshape.hpp"
#include "support.hpp"

using namespace kiln;
using kiln::testing::random_param;

namespace {

// Every element spells its own index in decimal digits: x(1, 2, 3) = 123.
Array indexed(const Shape& shape) {
  Array a = Array::from_shape(shape);
  std::vector<std::size_t> index(shape.size(), 0);
  for (std::size_t flat = 0; flat < a.size(); ++flat) {
    float v = 0.0f;
    for (std::size_t d = 0; d < shape.size(); ++d) v = 10.0f * v + float(index[d]);
    a.data()[flat] = v;
    for (std::size_t d = shape.size(); d-- > 0;) {
      if (++index[d] < shape[d]) break;
      index[d] = 0;
    }
  }
  return a;
}

}  // namespace

TEST_CASE("reshape keeps the row-major order of the elements") {
  Tensor x(Array{{1.0f, 2.0f, 3.0f}, {4.0f, 5.0f, 6.0f}});
  CHECK(reshape(x, {3, 2}).value() == Array{{1.0f, 2.0f}, {3.0f, 4.0f}, {5.0f, 6.0f}});
  CHECK(reshape(x, Shape{6}).value() == Array{1.0f, 2.0f, 3.0f, 4.0f, 5.0f, 6.0f});
}

TEST_CASE("reshape infers a single -1 from the element count") {
  Tensor x(Array::from_shape({2, 3, 4}));
  CHECK(reshape(x, {2, -1}).shape() == Shape{2, 12});
  CHECK(reshape(x, {-1, 4}).shape() == Shape{6, 4});
  CHECK(reshape(x, {-1}).shape() == Shape{24});
  CHECK(reshape(x, std::vector<long>{3, -1, 2}).shape() == Shape{3, 4, 2});
}

TEST_CASE("transpose swaps rows and columns") {
  Tensor x(Array{{1.0f, 2.0f, 3.0f}, {4.0f, 5.0f, 6.0f}});
  CHECK(transpose(x).value() == Array{{1.0f, 4.0f}, {2.0f, 5.0f}, {3.0f, 6.0f}});
}

TEST_CASE("permute puts input axis axes[i] at output position i") {
  const Array x = indexed({2, 3, 4});  // x(i, j, k) = 100 i + 10 j + k
  Tensor t(x);
  const Array batch_to_time = permute(t, {1, 0, 2}).value();  // the RNN fast path
  const Array rotated = permute(t, {2, 0, 1}).value();
  const Array last_two = permute(t, {0, 2, 1}).value();
  REQUIRE(batch_to_time.shape() == Shape{3, 2, 4});
  REQUIRE(rotated.shape() == Shape{4, 2, 3});
  REQUIRE(last_two.shape() == Shape{2, 4, 3});
  for (std::size_t i = 0; i < 2; ++i) {
    for (std::size_t j = 0; j < 3; ++j) {
      for (std::size_t k = 0; k < 4; ++k) {
        const float v = float(100 * i + 10 * j + k);
        CHECK(batch_to_time(j, i, k) == v);
        CHECK(rotated(k, i, j) == v);
        CHECK(last_two(i, k, j) == v);
      }
    }
  }
  // 4-D: (2, 1, 3, 2) -> axes (3, 1, 0, 2) -> (2, 1, 2, 3); y(l, j, i, k) = x(i, j, k, l).
  const Array y = permute(Tensor(indexed({2, 1, 3, 2})), {3, 1, 0, 2}).value();
  REQUIRE(y.shape() == Shape{2, 1, 2, 3});
  CHECK(y(1, 0, 1, 2) == 1021.0f);
  CHECK(y(0, 0, 1, 1) == 1010.0f);
  CHECK(y(1, 0, 0, 0) == 1.0f);
}

TEST_CASE("permute by the identity is a copy") {
  const Array x = indexed({2, 3});
  CHECK(permute(Tensor(x), {0, 1}).value() == x);
}

TEST_CASE("reshape, transpose and permute gradients match finite differences") {
  Tensor x = random_param({2, 3, 4}, 11, "x");
  Tensor m = random_param({3, 5}, 12, "m");
  CHECK_GRADIENTS([&] { return reshape(x, {4, -1}); }, {x});
  CHECK_GRADIENTS([&] { return reshape(x, Shape{24}); }, {x});
  CHECK_GRADIENTS([&] { return transpose(m); }, {m});
  const std::vector<std::vector<std::size_t>> perms = {
      {0, 1, 2}, {1, 0, 2}, {0, 2, 1}, {2, 0, 1}, {1, 2, 0}, {2, 1, 0}};
  for (const auto& axes : perms) {
    CAPTURE(axes[0]);
    CAPTURE(axes[1]);
    CHECK_GRADIENTS([&] { return permute(x, axes); }, {x});
  }
  Tensor w = random_param({2, 1, 3, 2}, 13, "w");
  CHECK_GRADIENTS([&] { return permute(w, {3, 1, 0, 2}); }, {w});
}

TEST_CASE("reshape names both shapes when the element counts differ") {
  Tensor x(Array::from_shape({2, 3}));
  CHECK_THROWS_WITH_AS(reshape(x, {4, 2}),
                       "reshape: cannot reshape (2, 3) (6 elements) into (4, 2) (8 elements)",
                       ShapeError);
  CHECK_THROWS_WITH_AS(reshape(x, {4, -1}),
                       "reshape: cannot reshape (2, 3) into (4, -1): 6 elements do not divide into 4",
                       ShapeError);
  CHECK_THROWS_WITH_AS(reshape(x, {-1, -1}),
                       "reshape: cannot reshape (2, 3) into (-1, -1): only one dimension may be -1",
                       ShapeError);
  CHECK_THROWS_WITH_AS(reshape(x, {-2, -3}), doctest::Contains("dimension -2 is negative"), ShapeError);
}

TEST_CASE("transpose and permute reject what is not a 2-D tensor or a permutation") {
  Tensor x(Array::from_shape({2, 3, 4}));
  CHECK_THROWS_WITH_AS(transpose(x), doctest::Contains("transpose: expected a 2-D tensor, got (2, 3, 4)"),
                       ShapeError);
  CHECK_THROWS_WITH_AS(permute(x, {0, 0, 1}),
                       "permute: axes (0, 0, 1) are not a permutation of the 3 axes of (2, 3, 4)",
                       ShapeError);
  CHECK_THROWS_WITH_AS(permute(x, {1, 0}), doctest::Contains("axes (1, 0)"), ShapeError);
  CHECK_THROWS_WITH_AS(permute(x, {0, 1, 3}), doctest::Contains("(2, 3, 4)"), ShapeError);
}
