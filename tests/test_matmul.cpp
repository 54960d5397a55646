// matmul: values against hand-worked products and numpy's definition worked
// element by element, gradients against finite differences for every
// supported shape, broadcast and transpose combination; TF.js for the
// batched forms.

#include <algorithm>
#include <vector>

#include "graph/backward.hpp"
#include "graph/error.hpp"
#include "ops/matmul.hpp"
#include "support.hpp"
#include "tfjs_reference.hpp"

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
  CHECK_THROWS_WITH_AS(matmul(v, b), doctest::Contains("at least 2 axes"), ShapeError);
  Tensor e(Array::from_shape({2, 3, 3, 4}));
  Tensor f(Array::from_shape({2, 4, 5}));
  CHECK_THROWS_WITH_AS(matmul(e, f), "matmul: batch sizes differ between (2, 3, 3, 4) and (2, 4, 5)", ShapeError);
}

namespace {

// numpy's matmul by its definition, one element at a time, for shapes of
// rank >= 2 with broadcast batch axes: the independent reference.
Array naive_matmul(const Array& a, const Array& b, bool ta, bool tb) {
  const std::size_t ra = a.dimension(), rb = b.dimension();
  const std::size_t m = ta ? a.shape()[ra - 1] : a.shape()[ra - 2], k = ta ? a.shape()[ra - 2] : a.shape()[ra - 1];
  const std::size_t n = tb ? b.shape()[rb - 2] : b.shape()[rb - 1];
  const std::size_t rank = std::max(ra, rb);
  Shape out(rank);
  for (std::size_t d = 0; d + 2 < rank; ++d) {
    const std::size_t da = d + ra >= rank ? a.shape()[d + ra - rank] : 1;
    const std::size_t db = d + rb >= rank ? b.shape()[d + rb - rank] : 1;
    out[d] = da == 1 ? db : da;
  }
  out[rank - 2] = m;
  out[rank - 1] = n;
  Array c = Array::from_shape(out);
  std::vector<std::size_t> index(rank, 0);
  auto element = [&](const Array& x, std::size_t row, std::size_t col) {
    const std::size_t r = x.dimension();
    std::size_t flat = 0;
    for (std::size_t d = 0; d + 2 < r; ++d) {
      const std::size_t extent = x.shape()[d];
      flat = flat * extent + (extent == 1 ? 0 : index[d + rank - r]);
    }
    return x.data()[(flat * x.shape()[r - 2] + row) * x.shape()[r - 1] + col];
  };
  for (std::size_t i = 0; i < c.size(); ++i) {
    std::size_t rest = i;
    for (std::size_t d = rank; d-- > 0;) {
      index[d] = rest % out[d];
      rest /= out[d];
    }
    double total = 0.0;
    for (std::size_t p = 0; p < k; ++p) {
      const float av = ta ? element(a, p, index[rank - 2]) : element(a, index[rank - 2], p);
      const float bv = tb ? element(b, index[rank - 1], p) : element(b, p, index[rank - 1]);
      total += double(av) * double(bv);
    }
    c.data()[i] = float(total);
  }
  return c;
}

struct BatchedCase {
  Shape a, b;
  bool ta, tb;
};

// Leading batch axes of any rank, broadcast either way, with every transpose.
const BatchedCase batched_cases[] = {
    {{2, 3, 4, 5}, {2, 3, 5, 2}, false, false},  // (batch, heads, T, d) as attention has
    {{2, 3, 5, 4}, {2, 3, 5, 2}, true, false},   {{2, 3, 4, 5}, {2, 3, 2, 5}, false, true},
    {{2, 3, 5, 4}, {2, 3, 2, 5}, true, true},    {{2, 1, 4, 5}, {3, 5, 2}, false, false},
    {{3, 4}, {2, 3, 4, 2}, false, false},        {{2, 3, 4}, {1, 4, 2}, false, false},
    {{2, 3, 4, 5}, {5, 2}, false, false},        {{2, 3, 5, 4}, {5, 2}, true, false},
    {{1, 2, 3, 4}, {2, 1, 2, 4}, false, true},   {{2, 0, 3, 4}, {4, 2}, false, false},
    {{2, 0, 3, 4}, {1, 3, 2}, true, false},
};

}  // namespace

TEST_CASE("batched matmul over leading axes matches numpy's matmul worked element by element") {
  int seed = 100;
  for (const auto& c : batched_cases) {
    CAPTURE(to_string(c.a));
    CAPTURE(to_string(c.b));
    CAPTURE(c.ta);
    CAPTURE(c.tb);
    const Array a = kiln::testing::random_array(c.a, seed++);
    const Array b = kiln::testing::random_array(c.b, seed++);
    const Array got = matmul(Tensor(a), Tensor(b), {.transpose_a = c.ta, .transpose_b = c.tb}).value();
    CHECK_ARRAY_NEAR(got, naive_matmul(a, b, c.ta, c.tb), 1e-5);
  }
}

TEST_CASE("batched matmul gradients match finite differences, broadcast operands summing theirs") {
  int seed = 200;
  for (const auto& c : batched_cases) {
    CAPTURE(to_string(c.a));
    CAPTURE(to_string(c.b));
    CAPTURE(c.ta);
    CAPTURE(c.tb);
    Tensor a = random_param(c.a, seed++, "a");
    Tensor b = random_param(c.b, seed++, "b");
    CHECK_GRADIENTS([&] { return matmul(a, b, {.transpose_a = c.ta, .transpose_b = c.tb}); }, {a, b});
  }
}

TEST_CASE("an operand broadcast over an empty batch gets a zero gradient") {
  Tensor a = random_param({2, 3}, 1, "a");
  Tensor b = random_param({0, 3, 4}, 2, "b");
  Tensor y = matmul(a, b);
  CHECK(y.shape() == Shape{0, 2, 4});
  backward(y, Array::from_shape({0, 2, 4}));
  CHECK(a.grad() == xt::zeros<float>({2, 3}));
}

TEST_CASE("batched matmul matches TF.js's matMul, gradients included") {
  using kiln::testing::check_against_tfjs;
  const std::string file = "tfjs/ops.safetensors";
  check_against_tfjs({file, "matmul_heads", 2, {0, 1}}, [](auto& x) { return matmul(x[0], x[1]); });
  check_against_tfjs({file, "matmul_transpose_b", 2, {0, 1}},
                     [](auto& x) { return matmul(x[0], x[1], {.transpose_b = true}); });
  check_against_tfjs({file, "matmul_transpose_a", 2, {0, 1}},
                     [](auto& x) { return matmul(x[0], x[1], {.transpose_a = true}); });
  // (2, 1, 4, 5) x (3, 5, 2): both operands broadcast, their gradients summed back.
  check_against_tfjs({file, "matmul_broadcast", 2, {0, 1}}, [](auto& x) { return matmul(x[0], x[1]); });
}
