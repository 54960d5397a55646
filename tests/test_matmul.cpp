// matmul: values against hand-worked products, gradients against finite
// differences for every supported shape and transpose combination.

#include "graph/error.hpp"
#include "ops/matmul.hpp"
#include "support.hpp"

using namespace kiln;
using kiln::testing::random_param;

TEST_CASE("matmul of 2-D matrices matches the product worked by hand") {
  Tensor a(Array{{1.0f, 2.0f, 3.0f}, {4.0f, 5.0f, 6.0f}});
  Tensor b(Array{{1.0f, 0.0f}, {0.0f, 1.0f}, {1.0f, 1.0f}});
  // row 0: (1+3, 2+3); row 1: (4+6, 5+6)
  CHECK(matmul(a, b).value() == Array{{4.0f, 5.0f}, {10.0f, 11.0f}});
}

TEST_CASE("matmul with transposes equals the product of transposed inputs") {
  Tensor a(Array{{1.0f, 4.0f}, {2.0f, 5.0f}, {3.0f, 6.0f}});  // (3,2) = A^T
  Tensor b(Array{{1.0f, 0.0f, 1.0f}, {0.0f, 1.0f, 1.0f}});    // (2,3) = B^T
  Array expected = {{4.0f, 5.0f}, {10.0f, 11.0f}};
  CHECK(matmul(a, b, {.transpose_a = true, .transpose_b = true}).value() == expected);
}

TEST_CASE("batched 3-D x 2-D multiplies every batch entry by the same matrix") {
  Tensor a(Array{{{1.0f, 2.0f}}, {{3.0f, 4.0f}}});  // (2,1,2)
  Tensor b(Array{{1.0f, 1.0f}, {0.0f, 2.0f}});      // (2,2)
  Array expected = {{{1.0f, 5.0f}}, {{3.0f, 11.0f}}};
  CHECK(matmul(a, b).value() == expected);
}

TEST_CASE("batched 3-D x 3-D multiplies matching batch entries") {
  Tensor a(Array{{{1.0f, 2.0f}}, {{3.0f, 4.0f}}});          // (2,1,2)
  Array bv = {1.0f, 1.0f, 2.0f, -1.0f};
  bv.reshape({2, 2, 1});
  Tensor b(bv);
  Array expected = Array::from_shape({2, 1, 1});
  expected(0, 0, 0) = 3.0f;
  expected(1, 0, 0) = 2.0f;
  CHECK(matmul(a, b).value() == expected);
}

TEST_CASE("matmul gradients match finite differences for every layout") {
  struct Case {
    Shape a, b;
    bool ta, tb;
  };
  const Case cases[] = {
      {{3, 4}, {4, 5}, false, false}, {{4, 3}, {4, 5}, true, false},
      {{3, 4}, {5, 4}, false, true},  {{4, 3}, {5, 4}, true, true},
      {{2, 3, 4}, {4, 5}, false, false}, {{2, 4, 3}, {4, 5}, true, false},
      {{2, 3, 4}, {5, 4}, false, true},  {{2, 3, 4}, {2, 4, 5}, false, false},
      {{2, 4, 3}, {2, 5, 4}, true, true},
      // Vector-shaped products (one output column or row) take the gemv path.
      {{3, 4}, {4, 1}, false, false}, {{4, 3}, {1, 4}, true, true},
      {{1, 4}, {4, 5}, false, false}, {{4, 1}, {5, 4}, true, true},
      {{2, 3, 4}, {4, 1}, false, false}, {{1, 1}, {1, 1}, false, false},
  };
  int seed = 1;
  for (const auto& c : cases) {
    CAPTURE(to_string(c.a));
    CAPTURE(to_string(c.b));
    CAPTURE(c.ta);
    CAPTURE(c.tb);
    Tensor a = random_param(c.a, seed++, "a");
    Tensor b = random_param(c.b, seed++, "b");
    CHECK_GRADIENTS([&] { return matmul(a, b, {.transpose_a = c.ta, .transpose_b = c.tb}); }, {a, b});
  }
}

TEST_CASE("matmul names both shapes when the inner sizes differ") {
  Tensor a(Array::from_shape({3, 4}));
  Tensor b(Array::from_shape({5, 2}));
  CHECK_THROWS_WITH_AS(matmul(a, b), "matmul: inner sizes differ between (3, 4) and (5, 2)", ShapeError);
  Tensor c(Array::from_shape({2, 3, 4}));
  Tensor d(Array::from_shape({3, 4, 5}));
  CHECK_THROWS_WITH_AS(matmul(c, d), doctest::Contains("batch sizes differ"), ShapeError);
  Tensor v(Array::from_shape({4}));
  CHECK_THROWS_AS(matmul(v, b), ShapeError);
}
