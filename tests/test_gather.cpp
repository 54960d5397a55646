// gather_rows (embedding lookup): rows picked by hand, a scatter-add backward
// where repeated ids accumulate, finite differences, and bad ids.

#include "graph/backward.hpp"
#include "graph/error.hpp"
#include "ops/gather.hpp"
#include "support.hpp"

using namespace kiln;
using kiln::testing::random_param;

namespace {

// (V 4, D 3): row r is (10 r, 10 r + 1, 10 r + 2).
Array table_values() {
  return Array{{0.0f, 1.0f, 2.0f}, {10.0f, 11.0f, 12.0f}, {20.0f, 21.0f, 22.0f}, {30.0f, 31.0f, 32.0f}};
}

}  // namespace

TEST_CASE("gather_rows looks up one table row per id: indices (2, 2) give (2, 2, 3)") {
  Tensor table(table_values());
  const Array y = gather_rows(table, Array{{3.0f, 0.0f}, {2.0f, 2.0f}}).value();
  const Array expected = {{{30.0f, 31.0f, 32.0f}, {0.0f, 1.0f, 2.0f}},
                          {{20.0f, 21.0f, 22.0f}, {20.0f, 21.0f, 22.0f}}};
  CHECK(y == expected);
  CHECK(gather_rows(table, Array{1.0f}).value() == Array{{10.0f, 11.0f, 12.0f}});
}

TEST_CASE("gather_rows backward adds every position's gradient into its row") {
  Tensor table = Tensor::parameter(table_values(), "embeddings");
  Array g = {{{1.0f, 2.0f, 3.0f}, {4.0f, 5.0f, 6.0f}}, {{7.0f, 8.0f, 9.0f}, {10.0f, 20.0f, 30.0f}}};
  backward(gather_rows(table, Array{{3.0f, 0.0f}, {2.0f, 2.0f}}), g);
  // Row 2 was looked up twice: (7, 8, 9) + (10, 20, 30). Row 1 never: zeros.
  const Array expected = {{4.0f, 5.0f, 6.0f}, {0.0f, 0.0f, 0.0f}, {17.0f, 28.0f, 39.0f}, {1.0f, 2.0f, 3.0f}};
  CHECK(table.grad() == expected);
}

TEST_CASE("gather_rows gradients match finite differences for batched ids with repeats") {
  Tensor table = random_param({5, 3}, 51, "table");
  const Array ids = {{4.0f, 1.0f, 1.0f}, {0.0f, 4.0f, 2.0f}};  // (batch 2, time 3)
  CHECK_GRADIENTS([&] { return gather_rows(table, ids); }, {table});
  const Array flat = {3.0f, 3.0f, 3.0f, 0.0f};
  CHECK_GRADIENTS([&] { return gather_rows(table, flat); }, {table});
}

TEST_CASE("gather_rows rejects ids outside [0, V) and tables that are not (V, D)") {
  Tensor table(table_values());
  CHECK_THROWS_WITH_AS(gather_rows(table, Array{1.0f, 4.0f}),
                       "gather_rows: id 4 at position 1 is out of range for a table of V = 4 rows "
                       "(ids must be integers in [0, 4))",
                       Error);
  CHECK_THROWS_WITH_AS(gather_rows(table, Array{-1.0f}), doctest::Contains("id -1 at position 0"), Error);
  CHECK_THROWS_WITH_AS(gather_rows(table, Array{1.5f}), doctest::Contains("id 1.5"), Error);
  Tensor cube(Array::from_shape({2, 3, 4}));
  CHECK_THROWS_WITH_AS(gather_rows(cube, Array{0.0f}),
                       "gather_rows: expected a (V, D) table, got (2, 3, 4) for indices (1)", ShapeError);
}
